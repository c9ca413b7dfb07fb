using NeuralCore.Tensors;

namespace NeuralCore.Layers.Tests.Models;

/// <summary>
/// Deterministic weights, inputs and labels from a hash of (element index, salt) that Fixtures/make_seed_model_fixtures.py
/// evaluates too, so a PyTorch fixture needs no stored weights. The hash is integer arithmetic, so both sides get
/// bit-identical values; unlike a sine of the index, it gives full-rank kernels (a sinusoid over the output channels
/// would make every convolution's output a combination of two maps).
/// </summary>
internal static class FormulaWeights
{
    public const int Batch = 2;
    private const ulong InputSalt = 1_000_001, LabelSalt = 1_000_002;

    /// <summary>
    /// Fills every parameter and buffer of <paramref name="model"/>, the t-th tensor in module order (Keras' weight
    /// order) from salt t: kernels He-uniform sqrt(6 / fan_in) * u, gamma 1 + 0.1u, beta, bias and moving mean 0.1u,
    /// moving variance 1 + 0.3u^2, with u uniform in [-1, 1). Returns how many tensors it filled.
    /// </summary>
    public static int Fill(Module model)
    {
        int t = 0;
        foreach (var (layer, name, tensor) in Tensors(model))
        {
            double fan = FanIn(layer, name, tensor.Shape);
            var span = tensor.Span<float>();
            for (int i = 0; i < span.Length; i++)
            {
                double u = Uniform((ulong)i, (ulong)t);
                span[i] = (float)(name switch
                {
                    "gamma" => 1 + 0.1 * u,
                    "beta" or "bias" or "moving_mean" => 0.1 * u,
                    "moving_variance" => 1 + 0.3 * u * u,
                    _ => Math.Sqrt(6.0 / fan) * u,
                });
            }
            t++;
        }
        return t;
    }

    /// <summary>Every tensor of <paramref name="model"/> with its layer, in the order <see cref="Fill"/> numbers them.</summary>
    public static IEnumerable<(Module Layer, string Name, Tensor Tensor)> Tensors(Module model) =>
        from m in model.Modules()
        from p in m.Module.OwnParameters.Concat(m.Module.OwnBuffers)
        select (m.Module, p.Name, p.Tensor);

    /// <summary>Input images [Batch, size, size, 3] in [0, 1).</summary>
    public static Tensor Input(int size)
    {
        var x = Tensor.Empty([Batch, size, size, 3]);
        var span = x.Span<float>();
        for (int i = 0; i < span.Length; i++) span[i] = (float)(0.5 + 0.5 * Uniform((ulong)i, InputSalt));
        return x;
    }

    /// <summary>Labels [Batch, size, size] in [0, classes).</summary>
    public static Tensor Labels(int size, int classes)
    {
        var labels = new int[Batch * size * size];
        for (int i = 0; i < labels.Length; i++) labels[i] = (int)((Mix((ulong)i, LabelSalt) >> 32) % (ulong)classes);
        return Tensor.FromArray(labels, [Batch, size, size]);
    }

    private static double FanIn(Module layer, string name, Shape shape) => (layer, name) switch
    {
        (DepthwiseConv2d, _) => shape[0] * shape[1],
        (ConvTranspose2d, "kernel") => shape[0] * shape[1] * shape[3], // [KH, KW, Cout, Cin]
        (_, "kernel") => shape[0] * shape[1] * shape[2],               // HWIO
        _ => 1,
    };

    /// <summary>Uniform in [-1, 1): 53 bits of the hash, exact in double.</summary>
    private static double Uniform(ulong index, ulong salt) => (Mix(index, salt) >> 11) * Math.ScaleB(1.0, -52) - 1.0;

    /// <summary>A splitmix64-style finaliser of (index, salt) in wrapping ulong arithmetic.</summary>
    private static ulong Mix(ulong index, ulong salt)
    {
        unchecked
        {
            ulong h = index * 0x9E3779B97F4A7C15UL + salt * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
            h *= 0x94D049BB133111EBUL;
            h ^= h >> 29;
            return h;
        }
    }
}
