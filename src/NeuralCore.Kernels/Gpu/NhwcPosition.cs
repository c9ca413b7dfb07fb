namespace NeuralCore.Kernels.Gpu;

/// <summary>The (n, h, w, c) coordinates of row-major element i of an [N, H, W, C] tensor, for kernels with one thread per element.</summary>
internal readonly record struct NhwcPosition(int N, int H, int W, int C)
{
    public static NhwcPosition Of(int i, int height, int width, int channels)
    {
        int cell = i / channels, row = cell / width, n = row / height;
        return new NhwcPosition(n, row - n * height, cell - row * width, i - cell * channels);
    }
}
