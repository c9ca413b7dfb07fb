using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeuralCore.Tensors.Memory;

namespace NeuralCore.Tensors;

/// <summary>
/// An n-dimensional array: a view (shape, strides, offset) onto reference-counted storage. Activations are NHWC.
/// Views (<see cref="Reshape"/>, <see cref="Slice"/>) share storage without copying. Dispose releases this view's
/// hold on the storage; <see cref="TensorScope"/> does that for you in a training step.
/// Autograd state (<see cref="RequiresGrad"/>, <see cref="Grad"/>) is kept here; the tape lives in NeuralCore.Autograd.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] _strides;
    private bool _requiresGrad;
    private bool _disposed;

    private Tensor(Storage storage, Shape shape, int[] strides, int offset, DType dtype)
    {
        Storage = storage;
        Shape = shape;
        _strides = strides;
        Offset = offset;
        DType = dtype;
        TensorScope.Adopt(this);
    }

    public Storage Storage { get; private set; }

    public Shape Shape { get; }

    public ReadOnlySpan<int> Strides => _strides;

    /// <summary>Offset of element 0 into the storage, in elements.</summary>
    public int Offset { get; }

    public DType DType { get; }

    public Device Device => Storage.Device;

    public int Rank => Shape.Rank;

    public int ElementCount => Shape.ElementCount;

    /// <summary>A name for error messages and checkpoints (parameters carry their hierarchical name).</summary>
    public string? Name { get; set; }

    internal TensorScope? OwningScope { get; set; }

    public bool IsDisposed => _disposed;

    /// <summary>Whether gradients flow to this tensor. Only floating-point tensors can require gradients.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (value && !DType.IsFloatingPoint())
                throw new InvalidOperationException($"tensor {Describe()} has dtype {DType.Name()}: only float tensors can require gradients");
            _requiresGrad = value;
        }
    }

    /// <summary>
    /// The autograd node that produced this tensor (null for leaves: inputs and parameters). Set by the tape in
    /// NeuralCore.Autograd; kept as <c>object</c> so tensors do not depend on autograd.
    /// </summary>
    public object? Producer { get; set; }

    public bool IsLeaf => Producer is null;

    /// <summary>The accumulated gradient of a leaf tensor (parameters); null until a backward pass reaches it.</summary>
    public Tensor? Grad { get; set; }

    public bool IsContiguous
    {
        get
        {
            int expected = 1;
            for (int i = Rank - 1; i >= 0; i--)
            {
                if (Shape[i] != 1 && _strides[i] != expected) return false;
                expected *= Shape[i];
            }
            return true;
        }
    }

    // ---- creation ----

    public static Tensor Empty(Shape shape, DType dtype = DType.Float32, Device? device = null)
    {
        var dev = device ?? Device.Cpu;
        long bytes = (long)shape.ElementCount * dtype.SizeOf();
        Storage storage = dev.Kind == DeviceKind.Cpu
            ? new CpuStorage(bytes)
            : DeviceRuntimes.For(dev).Allocate(bytes, dev);
        return new Tensor(storage, shape, shape.ContiguousStrides(), 0, dtype);
    }

    /// <summary>
    /// A contiguous tensor over <paramref name="storage"/>, which it takes over: storage a device backend allocated
    /// from a pool of its own (a data loader's uploads). The storage must be new (held by no other tensor).
    /// </summary>
    public static Tensor OnStorage(Storage storage, Shape shape, DType dtype)
    {
        long bytes = (long)shape.ElementCount * dtype.SizeOf();
        if (storage.ByteLength < bytes || storage.RefCount != 1)
            throw new ArgumentException($"tensor on storage: {dtype.Name()} {shape} needs {bytes} bytes of new storage, got {storage.ByteLength} bytes held by {storage.RefCount}");
        return new Tensor(storage, shape, shape.ContiguousStrides(), 0, dtype);
    }

    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 0, dtype, device);

    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Fill(value);
        return t;
    }

    public static Tensor Ones(Shape shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1.0, dtype, device);

    public static Tensor FromArray<T>(T[] data, Shape shape, Device? device = null) where T : unmanaged
    {
        if (data.Length != shape.ElementCount)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {shape} ({shape.ElementCount} elements)");
        var t = Empty(shape, DTypeInfo.Of<T>(), device);
        if (t.Device.IsGpu) DeviceRuntimes.For(t.Device).Upload(MemoryMarshal.AsBytes(data.AsSpan()), t);
        else data.AsSpan().CopyTo(t.Span<T>());
        return t;
    }

    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full(Shape.Scalar, value, dtype, device);

    // ---- views ----

    /// <summary>A view with a new shape over the same elements; one dimension may be -1. Needs a contiguous tensor.</summary>
    public Tensor Reshape(params int[] dims)
    {
        ThrowIfDisposed();
        int known = 1, inferAt = -1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferAt >= 0) throw new ArgumentException($"reshape {Describe()} to [{string.Join(", ", dims)}]: only one dimension can be -1");
                inferAt = i;
            }
            else known *= dims[i];
        }
        var newDims = (int[])dims.Clone();
        if (inferAt >= 0)
        {
            if (known == 0 || ElementCount % known != 0)
                throw new ArgumentException($"reshape {Describe()} to [{string.Join(", ", dims)}]: {ElementCount} elements do not divide");
            newDims[inferAt] = ElementCount / known;
        }
        var shape = new Shape(newDims);
        if (shape.ElementCount != ElementCount)
            throw new ArgumentException($"reshape {Describe()} to {shape}: {ElementCount} elements cannot become {shape.ElementCount}");
        if (!IsContiguous)
            throw new InvalidOperationException($"reshape {Describe()}: the tensor is a strided view; call Contiguous() first");
        Storage.Retain();
        return new Tensor(Storage, shape, shape.ContiguousStrides(), Offset, DType) { Name = Name };
    }

    /// <summary>A view of <paramref name="length"/> entries of <paramref name="axis"/> starting at <paramref name="start"/>.</summary>
    public Tensor Slice(int axis, int start, int length)
    {
        ThrowIfDisposed();
        int ax = axis < 0 ? axis + Rank : axis;
        if (ax < 0 || ax >= Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"slice {Describe()}: axis {axis} out of range for rank {Rank}");
        if (start < 0 || length < 0 || start + length > Shape[ax])
            throw new ArgumentOutOfRangeException(nameof(start), $"slice {Describe()}: [{start}, {start + length}) outside axis {ax} of size {Shape[ax]}");
        Storage.Retain();
        return new Tensor(Storage, Shape.With(ax, length), (int[])_strides.Clone(), Offset + start * _strides[ax], DType);
    }

    /// <summary>
    /// Another tensor object over the same elements (same storage, shape, strides and offset), with its own hold on
    /// the storage: disposing either leaves the other valid. The tape keeps what backward rules need this way.
    /// </summary>
    public Tensor Alias()
    {
        ThrowIfDisposed();
        Storage.Retain();
        return new Tensor(Storage, Shape, (int[])_strides.Clone(), Offset, DType) { Name = Name };
    }

    /// <summary>This tensor if already contiguous (as a new view), otherwise a contiguous copy.</summary>
    public Tensor Contiguous()
    {
        ThrowIfDisposed();
        if (IsContiguous) return Reshape(Shape.ToArray());
        var copy = Empty(Shape, DType, Device);
        CopyWithinDevice(this, copy);
        return copy;
    }

    public Tensor Clone()
    {
        var copy = Empty(Shape, DType, Device);
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>
    /// Copies the elements of <paramref name="source"/> (same shape and dtype, any strides, any device) into this
    /// tensor. Copies between devices go through a contiguous host or device copy.
    /// </summary>
    public void CopyFrom(Tensor source)
    {
        ThrowIfDisposed();
        source.ThrowIfDisposed();
        if (source.Shape != Shape || source.DType != DType)
            throw new ArgumentException($"copy: source {source.Describe()} does not match destination {Describe()}");
        if (source.Device == Device)
        {
            CopyWithinDevice(source, this);
            return;
        }
        using var moved = source.To(Device);
        CopyWithinDevice(moved, this);
    }

    /// <summary>
    /// This tensor on <paramref name="device"/>: a new hold on the same storage when it is already there (dispose it
    /// like any other result), otherwise a contiguous copy. Host and device exchange whole contiguous blocks.
    /// </summary>
    public Tensor To(Device device)
    {
        ThrowIfDisposed();
        if (device == Device) return Alias();
        using var source = Contiguous();
        var result = Empty(Shape, DType, device);
        if (Device.Kind == DeviceKind.Cpu) DeviceRuntimes.For(device).Upload(source.RawBytes(), result);
        else if (device.Kind == DeviceKind.Cpu) DeviceRuntimes.For(Device).Download(source, result.RawBytes());
        else
        {
            // Between two GPUs: through the host (the engine drives one device at a time; no peer copies).
            using var host = source.To(Device.Cpu);
            DeviceRuntimes.For(device).Upload(host.RawBytes(), result);
        }
        result.Name = Name;
        return result;
    }

    /// <summary>
    /// Moves this tensor's elements to <paramref name="device"/> in place, its gradient too (PyTorch's
    /// <c>module.to(device)</c>): parameters and buffers are referenced by the layers that own them, so they move
    /// rather than being replaced. Only a tensor that alone holds all of its storage can move.
    /// </summary>
    public void MoveTo(Device device)
    {
        ThrowIfDisposed();
        if (device == Device) return;
        if (Storage.RefCount != 1 || Offset != 0 || !IsContiguous || (long)ElementCount * DType.SizeOf() != Storage.ByteLength)
            throw new InvalidOperationException($"move to {device}: {Describe()} shares its storage with other tensors; only a tensor that owns all of its storage moves in place (use To for a copy)");
        using var moved = To(device);
        var previous = Storage;
        moved.Storage.Retain();
        Storage = moved.Storage;
        previous.Release();
        Grad?.MoveTo(device);
    }

    private static void CopyWithinDevice(Tensor source, Tensor destination)
    {
        if (source.Device.IsGpu) DeviceRuntimes.For(source.Device).Copy(source, destination);
        else StridedCopy.Copy(source, destination);
    }

    // ---- element access (host memory) ----

    /// <summary>The elements of a contiguous CPU tensor.</summary>
    public unsafe Span<T> Span<T>() where T : unmanaged
    {
        CheckHostAccess<T>();
        if (!IsContiguous)
            throw new InvalidOperationException($"{Describe()} is a strided view: Span needs a contiguous tensor (call Contiguous())");
        return new Span<T>((T*)DataPointer, ElementCount);
    }

    /// <summary>Address of element 0 (CPU tensors).</summary>
    public unsafe nint DataPointer
    {
        get
        {
            ThrowIfDisposed();
            if (Storage is not CpuStorage cpu)
                throw new InvalidOperationException($"{Describe()} lives on {Device}: host access needs a CPU tensor");
            return cpu.Pointer + (nint)Offset * DType.SizeOf();
        }
    }

    /// <summary>The elements in row-major order, copied to the host (waits for the device where needed).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        using var c = OnHostContiguous();
        return c.Span<T>().ToArray();
    }

    public T Item<T>() where T : unmanaged
    {
        if (ElementCount != 1) throw new InvalidOperationException($"Item: {Describe()} has {ElementCount} elements, expected 1");
        using var c = OnHostContiguous();
        return c.Span<T>()[0];
    }

    private Tensor OnHostContiguous() => Device.IsGpu ? To(Device.Cpu) : Contiguous();

    /// <summary>Every element as double, in row-major order (tests and reports; not a hot path).</summary>
    public double[] ToDoubleArray()
    {
        using var c = OnHostContiguous();
        return DType switch
        {
            DType.Float32 => Array.ConvertAll(c.Span<float>().ToArray(), v => (double)v),
            DType.Float64 => c.Span<double>().ToArray(),
            DType.Int32 => Array.ConvertAll(c.Span<int>().ToArray(), v => (double)v),
            DType.UInt8 => Array.ConvertAll(c.Span<byte>().ToArray(), v => (double)v),
            _ => throw new NotSupportedException(DType.Name()),
        };
    }

    public void Fill(double value)
    {
        if (Device.IsGpu)
        {
            if (!IsContiguous) throw new InvalidOperationException($"Fill: {Describe()} is a strided view");
            DeviceRuntimes.For(Device).Fill(this, value);
            return;
        }
        using var c = Contiguous();
        if (!ReferenceEquals(c.Storage, Storage) || !IsContiguous)
            throw new InvalidOperationException($"Fill: {Describe()} is a strided view");
        switch (DType)
        {
            case DType.Float32: c.Span<float>().Fill((float)value); break;
            case DType.Float64: c.Span<double>().Fill(value); break;
            case DType.Int32: c.Span<int>().Fill((int)value); break;
            case DType.UInt8: c.Span<byte>().Fill((byte)value); break;
        }
    }

    internal unsafe Span<byte> RawBytes() => new((void*)DataPointer, ElementCount * DType.SizeOf());

    private void CheckHostAccess<T>() where T : unmanaged
    {
        ThrowIfDisposed();
        var want = DTypeInfo.Of<T>();
        if (want != DType)
            throw new InvalidOperationException($"{Describe()} has dtype {DType.Name()}, accessed as {want.Name()}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ThrowIfDisposed()
    {
        if (_disposed || Storage.IsReleased)
            throw new ObjectDisposedException(Describe(), $"tensor {Describe()} was released: disposed, its scope ended, or a module's forward pass released it after its last use (keep what you need from inside a model by tapping it)");
    }

    /// <summary>"'name' float32 [8, 128, 128, 3]" for error messages.</summary>
    public string Describe() => (Name is null ? "" : $"'{Name}' ") + $"{DType.Name()} {Shape}" + (Device.Kind == DeviceKind.Cpu ? "" : $" on {Device}");

    public override string ToString() => $"Tensor({Describe()})";

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Storage.Release();
    }
}
