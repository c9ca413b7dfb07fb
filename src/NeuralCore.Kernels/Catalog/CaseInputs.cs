using NeuralCore.Tensors;

namespace NeuralCore.Kernels.Catalog;

/// <summary>Builds the input tensors of a catalog case, seeded, so every test and benchmark draws the same values.</summary>
public static class CaseInputs
{
    /// <param name="floatType">Float32 for conformance and benchmarks, Float64 for gradient checks.</param>
    public static Tensor[] Create(OpCase opCase, DType floatType, ulong seed)
    {
        var rng = new RandomGenerator(seed);
        var inputs = new Tensor[opCase.Inputs.Count];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = Create(opCase.Inputs[i], floatType, rng);
        return inputs;
    }

    private static Tensor Create(InputSpec spec, DType floatType, RandomGenerator rng)
    {
        int n = spec.Shape.ElementCount;
        if (spec.IsInteger)
        {
            int range = spec.Kind == InputKind.LabelsWithIgnore ? spec.Classes + 1 : spec.Classes;
            var u = new double[n];
            rng.FillUniform(u);
            var labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = Math.Min((int)(u[i] * range), range - 1);
            return Tensor.FromArray(labels, spec.Shape);
        }
        var values = new double[n];
        if (spec.Kind == InputKind.Positive) rng.FillUniform(values, 0.5, 2.0);
        else if (spec.Kind is InputKind.Boxes or InputKind.Rois) FillBoxes(spec, values, rng);
        else rng.FillNormal(values);
        if (floatType == DType.Float64) return Tensor.FromArray(values, spec.Shape);
        return Tensor.FromArray(Array.ConvertAll(values, v => (float)v), spec.Shape);
    }

    /// <summary>Rows of (x1, y1, x2, y2), after a batch index for RoIs: corners and sides drawn from uniform numbers.</summary>
    private static void FillBoxes(InputSpec spec, double[] values, RandomGenerator rng)
    {
        rng.FillUniform(values);
        int width = spec.Shape[-1], first = spec.Kind == InputKind.Rois ? 1 : 0;
        double e = spec.Extent;
        for (int row = 0; row < values.Length; row += width)
        {
            if (first == 1) values[row] = Math.Min(Math.Floor(values[row] * spec.Classes), spec.Classes - 1);
            int b = row + first;
            double x1 = -e / 4 + values[b] * e * 1.25, y1 = -e / 4 + values[b + 1] * e * 1.25;
            double w = e / 20 + values[b + 2] * e * 0.45, h = e / 20 + values[b + 3] * e * 0.45;
            (values[b], values[b + 1], values[b + 2], values[b + 3]) = (x1, y1, x1 + w, y1 + h);
        }
        if (spec.Kind != InputKind.Boxes || spec.Classes <= 0) return;
        var category = new double[values.Length / width];
        rng.FillUniform(category);
        for (int i = 0; i < values.Length; i++) values[i] += Math.Min(Math.Floor(category[i / width] * spec.Classes), spec.Classes - 1) * 2 * e;
    }
}
