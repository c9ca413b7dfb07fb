#!/usr/bin/env python3
"""Makes the weight-file fixtures for tests/NeuralCore.Layers.Tests/Import.

Keras/TensorFlow are not installed, so the HDF5 files are written with h5py exactly the way Keras writes them
(Keras 2 `save_weights`/`save_model`, Keras 1, Keras 3 `.weights.h5`). Every HDF5 fixture gets a sidecar
`<name>.expected.npz` (np.savez, uncompressed) whose keys are "<layer name>::<weight name>" in the order the
loader must return them (or "<dataset path>" for the generic HDF5 file).

Run from this folder:  /usr/bin/python3 make_weight_fixtures.py
"""
import json
import struct
import zipfile

import h5py
import numpy as np

rng = np.random.default_rng(1234)


def values(shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def save_expected(path, expected):
    np.savez(path.replace(".h5", ".expected.npz"), **expected)


def keras_attr(group, name, data):
    """Keras' save_attributes_to_hdf5_group: np.asarray of the list (bytes -> 'S' array, [] -> float64)."""
    group.attrs[name] = np.asarray(data)


# ---------------------------------------------------------------------------------------------------- structure checks
def read_root_header_messages(path):
    """Parses the v0 superblock and the root's v1 object header (first chunk) -> list of (type, body)."""
    raw = open(path, "rb").read()
    assert raw[8] == 0, "expected superblock v0"
    root_header = struct.unpack_from("<Q", raw, 64)[0]
    assert raw[root_header] == 1, "expected object header v1"
    count, _, size = struct.unpack_from("<HII", raw, root_header + 2)
    messages, pos, end = [], root_header + 16, root_header + 16 + size
    while pos < end:
        mtype, msize = struct.unpack_from("<HH", raw, pos)
        messages.append((mtype, raw[pos + 8: pos + 8 + msize]))
        pos += 8 + msize
    return raw, messages


def check_multilevel_btree_and_continuation(path):
    raw, messages = read_root_header_messages(path)
    types = [t for t, _ in messages]
    assert 0x10 in types, f"{path}: root attributes did not spill into a continuation block"
    cache_type, _, btree = struct.unpack_from("<IIQ", raw, 72)  # root symbol-table entry scratch pad
    assert cache_type == 1
    assert raw[btree:btree + 4] == b"TREE"
    level = raw[btree + 5]
    assert level >= 1, f"{path}: root group B-tree has level {level}, expected a multi-level tree"
    print(f"{path}: root B-tree level {level}, continuation present")


# ------------------------------------------------------------------------------------------------------- Keras layers
def conv(name, cin=2, cout=4):
    return [(f"{name}/kernel:0", values((3, 3, cin, cout))), (f"{name}/bias:0", values((cout,)))]


def bn(name, c=4):
    return [(f"{name}/{w}:0", values((c,))) for w in ("gamma", "beta", "moving_mean", "moving_variance")]


def write_keras2_weights(f, layers, string_attr):
    """Keras 2 save_weights_to_hdf5_group: layer_names, backend, keras_version on f, one group per layer
    with weight_names and datasets created at the weight names (which contain '/')."""
    keras_attr(f, "layer_names", string_attr([name for name, _ in layers]))
    f.attrs["backend"] = string_attr("tensorflow")
    f.attrs["keras_version"] = string_attr("2.9.0")
    expected = {}
    for name, weights in sorted(layers, key=lambda x: x[0]):
        g = f.create_group(name)
        keras_attr(g, "weight_names", string_attr([w for w, _ in weights]) if weights else [])
        for wname, value in weights:
            g.create_dataset(wname, data=value)
    for name, weights in layers:
        for wname, value in weights:
            expected[f"{name}::{wname}"] = value
    return expected


def vlen_strings(x):
    dt = h5py.string_dtype("utf-8")
    return np.array(x, dtype=dt) if isinstance(x, list) else np.array(x, dtype=dt)


def fixed_strings(x):
    return np.array([s.encode() for s in x], dtype="S") if isinstance(x, list) else np.bytes_(x.encode())


def set_small_symbol_table_k(fcpl):
    """h5py does not wrap H5Pset_sym_k, so call the HDF5 library h5py itself is linked against."""
    import ctypes
    lib = ctypes.CDLL("libhdf5_serial.so.103")
    lib.H5Pset_sym_k.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
    assert lib.H5Pset_sym_k(fcpl.id, 2, 2) >= 0


def keras2_h5py3():
    """~45 layers with vlen string attributes; small symbol-table K so the root needs a multi-level B-tree
    (with the default K=16/4 that would take ~150 layers and >150 KB of empty groups)."""
    path = "keras2_h5py3.h5"
    layers = [("input_1", [])]
    for block in range(1, 12):
        layers += [(f"block{block}_conv1", conv(f"block{block}_conv1", 2 if block == 1 else 4)),
                   (f"block{block}_bn1", bn(f"block{block}_bn1")),
                   (f"block{block}_relu1", []),
                   (f"block{block}_pool", [])]
    layers += [("flatten", []), ("predictions", [("predictions/kernel:0", values((4, 3))), ("predictions/bias:0", values((3,)))])]
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    set_small_symbol_table_k(fcpl)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)
    with h5py.File(fid) as f:
        expected = write_keras2_weights(f, layers, vlen_strings)
        f.create_group("not_a_layer").create_dataset("junk:0", data=np.zeros(2, np.float32))
    save_expected(path, expected)
    check_multilevel_btree_and_continuation(path)


def keras2_h5py2_fixed_strings():
    """h5py-2 era: every string attribute fixed-length ('S'); weight_names of one layer split into
    weight_names0/weight_names1 the way Keras splits attributes above HDF5_OBJECT_HEADER_LIMIT."""
    path = "keras2_h5py2_fixedstr.h5"
    layers = [("input_1", []), ("conv2d", conv("conv2d")), ("batch_normalization", bn("batch_normalization")),
              ("activation", []), ("dense", [("dense/kernel:0", values((4, 2))), ("dense/bias:0", values((2,)))])]
    with h5py.File(path, "w") as f:
        expected = write_keras2_weights(f, layers, fixed_strings)
        g = f["batch_normalization"]
        names = [w for w, _ in bn("batch_normalization")]
        del g.attrs["weight_names"]
        keras_attr(g, "weight_names0", fixed_strings(names[:2]))
        keras_attr(g, "weight_names1", fixed_strings(names[2:]))
    save_expected(path, expected)


def keras1_vgg16():
    """Keras 1 VGG16: only layer_names on the root, weights named <layer>_W_1:0 / <layer>_b_1:0 directly in the group."""
    path = "keras1_vgg16.h5"
    expected = {}
    specs = [("input_1", None), ("block1_conv1", (2, 4)), ("block1_conv2", (4, 4)), ("block1_pool", None),
             ("flatten", None), ("fc1", "dense")]
    with h5py.File(path, "w") as f:
        keras_attr(f, "layer_names", fixed_strings([n for n, _ in specs]))
        for name, spec in specs:
            g = f.create_group(name)
            if spec is None:
                keras_attr(g, "weight_names", [])
                continue
            shapes = [(3, 3) + spec, (spec[1],)] if spec != "dense" else [(4, 3), (3,)]
            names = [f"{name}_W_1:0", f"{name}_b_1:0"]
            keras_attr(g, "weight_names", fixed_strings(names))
            for wname, shape in zip(names, shapes):
                expected[f"{name}::{wname}"] = values(shape)
                g.create_dataset(wname, data=expected[f"{name}::{wname}"])
    save_expected(path, expected)


def mobilenetv2_2018():
    """Full-model save (Keras 2.1-era MobileNetV2): weights under model_weights, model_config/training_config on
    the root, an optimizer_weights group, weight-name prefixes that differ from the layer names."""
    path = "mobilenetv2_2018.h5"
    layers = [("input_1", []),
              ("Conv1", [("Conv1_1/kernel:0", values((3, 3, 2, 4)))]),
              ("bn_Conv1", [(f"bn_Conv1_1/{w}:0", values((4,))) for w in ("gamma", "beta", "moving_mean", "moving_variance")]),
              ("mobl1_conv_1_expand", [("conv_1_expand_2/kernel:0", values((1, 1, 4, 6)))]),
              ("bn1_conv_1_bn_expand", [(f"bn1_conv_1_bn_expand_3/{w}:0", values((6,))) for w in ("gamma", "beta", "moving_mean", "moving_variance")]),
              ("out_relu", [])]
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.1.5"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps({"class_name": "Model", "config": {"name": "mobilenetv2_1.00_224"}}).encode()
        f.attrs["training_config"] = json.dumps({"optimizer_config": {"class_name": "Adam"}}).encode()
        expected = write_keras2_weights(f.create_group("model_weights"), layers, fixed_strings)
        f.create_group("optimizer_weights").create_dataset("Adam/iterations:0", data=np.int64(7))
    save_expected(path, expected)


def densenet_2017():
    """DenseNet (keras-applications 2017): layer names contain '/', so layer groups are nested."""
    path = "densenet_2017.h5"
    layers = [("input_1", []), ("zero_padding2d_1", []),
              ("conv1/conv", [("conv1/conv/kernel:0", values((3, 3, 2, 4)))]),
              ("conv1/bn", bn("conv1/bn")),
              ("conv1/relu", []),
              ("conv2_block1_1/bn", bn("conv2_block1_1/bn")),
              ("conv2_block1_1/conv", [("conv2_block1_1/conv/kernel:0", values((1, 1, 4, 8)))])]
    with h5py.File(path, "w") as f:
        expected = write_keras2_weights(f, layers, fixed_strings)
    save_expected(path, expected)


def keras3_weights():
    """Keras 3 model.save_weights('x.weights.h5'): empty top-level vars, layers/<name>/vars/<i>, a nested
    functional submodel, and optimizer state that is not a layer."""
    path = "keras3.weights.h5"
    expected = {}
    with h5py.File(path, "w") as f:
        f.create_group("vars")

        def layer(prefix, name, weights):
            vars_group = f.create_group(f"{prefix}/{name}").create_group("vars")
            for i, w in enumerate(weights):
                vars_group.create_dataset(str(i), data=w)
                expected[f"{prefix}/{name}::vars/{i}"] = w

        layer("layers", "input_layer", [])
        layer("layers", "conv2d", [values((3, 3, 2, 4)), values((4,))])
        layer("layers", "batch_normalization", [values((4,)) for _ in range(4)])
        layer("layers", "conv2d_1", [values((3, 3, 4, 4)), values((4,))])
        f.create_group("layers/functional").create_group("vars")
        layer("layers/functional/layers", "dense", [values((4, 3)), values((3,))])
        layer("layers", "dense_big", [values((1,)) for _ in range(12)])  # vars/10, vars/11 sort after vars/9
        opt = f.create_group("optimizer").create_group("vars")
        opt.create_dataset("0", data=np.int64(3))
    save_expected(path, expected)


def keras3_class_counters():
    """Keras 3 save_weights of a model whose layers keep their generated names: 12 Conv2D, 3 BatchNormalization, a
    DepthwiseConv2D and weightless ReLU / ZeroPadding2D / input layers. Groups are class names with per-class counters,
    so h5py lists conv2d_10 and conv2d_11 before conv2d_2, and nothing in the file says that batch_normalization_1
    comes after depthwise_conv2d: only the counters within each class give the model's order."""
    path = "keras3_class_counters.weights.h5"
    order = ["input_layer", "conv2d", "batch_normalization", "re_lu", "conv2d_1", "depthwise_conv2d", "batch_normalization_1"]
    order += [f"conv2d_{i}" for i in range(2, 11)] + ["batch_normalization_2", "zero_padding2d", "conv2d_11"]
    expected = {}
    with h5py.File(path, "w") as f:
        f.create_group("vars")
        for name in order:
            vars_group = f.create_group(f"layers/{name}").create_group("vars")
            if name.startswith("conv2d"):
                weights = [values((1, 1, 2, 2)), values((2,))]
            elif name.startswith("batch_normalization"):
                weights = [values((2,)) for _ in range(4)]
            elif name == "depthwise_conv2d":
                weights = [values((3, 3, 2, 1))]
            else:
                weights = []
            for i, w in enumerate(weights):
                vars_group.create_dataset(str(i), data=w)
                expected[f"layers/{name}::vars/{i}"] = w
        assert list(f["layers"])[:4] == ["batch_normalization", "batch_normalization_1", "batch_normalization_2", "conv2d"]
    save_expected(path, expected)


def hdf5_latest():
    """libver='latest' (superblock v3, v2 object headers, link messages, dense link and attribute storage,
    layout v4 with each chunk index that h5py 3.7 / HDF5 1.10 produce), plus filters."""
    path = "hdf5_latest.h5"
    expected = {}
    with h5py.File(path, "w", libver="latest") as f:
        many = f.create_group("many")
        for i in range(12):
            many.create_dataset(f"d{i:02d}", data=np.full((2,), i, np.int32))
            expected[f"many/d{i:02d}"] = np.full((2,), i, np.int32)
        for i in range(12):
            many.attrs[f"attr{i:02d}"] = np.float64(i) / 4
        many.attrs["names"] = vlen_strings(["alpha", "beta", "gamma"])

        def add(name, data, **kwargs):
            f.create_dataset(name, data=data, **kwargs)
            expected[name] = data

        add("contiguous_f64", values((3, 5), np.float64))
        add("half", values((4, 3), np.float16))
        add("ints/i64", np.arange(-5, 7, dtype=np.int64).reshape(3, 4))
        add("ints/u8", np.arange(250, 256, dtype=np.uint8))
        add("chunked_gzip_shuffle", values((20, 7)), chunks=(8, 4), compression="gzip", shuffle=True)
        add("single_chunk_gzip", values((5, 3)), chunks=(5, 3), compression="gzip")
        add("fletcher32", values((6, 6)), chunks=(4, 4), fletcher32=True)
        add("extensible", values((9, 3)), chunks=(2, 3), maxshape=(None, 3))
        add("btree2", values((5, 6)), chunks=(2, 4), maxshape=(None, None), compression="gzip")
        add("scalar", np.float32(2.5))

        compact = values((2, 3))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        space = h5py.h5s.create_simple(compact.shape)
        h5py.h5d.create(f.id, b"compact", h5py.h5t.NATIVE_FLOAT, space, dcpl=dcpl).write(h5py.h5s.ALL, h5py.h5s.ALL, compact)
        expected["compact"] = compact

        implicit = values((6, 4))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((3, 2))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        space = h5py.h5s.create_simple(implicit.shape)
        h5py.h5d.create(f.id, b"implicit", h5py.h5t.NATIVE_FLOAT, space, dcpl=dcpl).write(h5py.h5s.ALL, h5py.h5s.ALL, implicit)
        expected["implicit"] = implicit

        f.attrs["fixed"] = np.bytes_(b"fixed-length")
        f.attrs["vlen"] = "variable-length"
        f.attrs["ints"] = np.array([1, -2, 3], np.int64)
        f.attrs["matrix"] = np.arange(6, dtype=np.float32).reshape(2, 3)
        f.attrs.create("array_of_strings", np.array([(b"ab", b"cd")], dtype=np.dtype(("S2", (2,))))[0])
    save_expected(path, expected)


def hdf5_v108_with_userblock():
    """libver='v108' (superblock v2) behind a 512-byte user block, so every address is relative to the base."""
    path = "hdf5_v108_userblock.h5"
    expected = {"weights/kernel": values((4, 5)), "weights/steps": np.arange(7, dtype=np.int32)}
    with h5py.File(path, "w", libver="v108", userblock_size=512) as f:
        f.create_dataset("weights/kernel", data=expected["weights/kernel"], chunks=(2, 5), compression="gzip")
        f.create_dataset("weights/steps", data=expected["weights/steps"])
        f["weights"].attrs["note"] = "user block"
    save_expected(path, expected)


def lzf_filter():
    """A dataset compressed with LZF (filter 32000), which the reader must refuse naming filter and dataset."""
    with h5py.File("unsupported_lzf.h5", "w") as f:
        f.create_dataset("group/lzf", data=np.zeros((4, 4), np.float32), chunks=(2, 2), compression="lzf")


# ---------------------------------------------------------------------------------------------------- npz / npy / safetensors
def literal_arrays():
    """Values the C# tests also spell out literally."""
    return {
        "f4": (np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5),
        "f8_fortran": np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4) - 3),
        "f2": np.array([0.5, -1.0, 2.0, 65504.0, 0.0], np.float16),
        "i4": np.array([[1, -2], [3, -4]], np.int32),
        "i8": np.array(-9000000000, np.int64),
        "u1": np.array([0, 1, 254, 255], np.uint8),
    }


def npz_files():
    arrays = literal_arrays()
    assert arrays["f8_fortran"].flags.f_contiguous and not arrays["f8_fortran"].flags.c_contiguous
    np.savez("arrays.npz", **arrays)
    np.savez_compressed("arrays_compressed.npz", **arrays)
    with zipfile.ZipFile("npy_versions.npz", "w") as z:
        for version in [(1, 0), (2, 0), (3, 0)]:
            with z.open(f"v{version[0]}.npy", "w") as member:
                np.lib.format.write_array(member, arrays["f8_fortran"], version=version)
    np.save("bigendian.npy", np.arange(3, dtype=">f4"))


def safetensors_file():
    tensors = {"weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
               "half": np.array([1.5, -2.0], np.float16),
               "steps": np.array([7, -8, 9], np.int64)}
    header, data, offset = {"__metadata__": {"format": "pt", "source": "make_weight_fixtures.py"}}, b"", 0
    for name, value in tensors.items():
        raw = value.astype(value.dtype.newbyteorder("<")).tobytes()
        dtype = {"float32": "F32", "float16": "F16", "int64": "I64"}[str(value.dtype)]
        header[name] = {"dtype": dtype, "shape": list(value.shape), "data_offsets": [offset, offset + len(raw)]}
        data, offset = data + raw, offset + len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open("model.safetensors", "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + data)


if __name__ == "__main__":
    keras2_h5py3()
    keras2_h5py2_fixed_strings()
    keras1_vgg16()
    mobilenetv2_2018()
    densenet_2017()
    keras3_weights()
    hdf5_latest()
    lzf_filter()
    hdf5_v108_with_userblock()
    npz_files()
    safetensors_file()
    keras3_class_counters()  # last: the shared random stream leaves every earlier fixture as it was
