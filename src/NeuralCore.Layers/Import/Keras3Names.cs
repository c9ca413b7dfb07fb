using System.Globalization;

namespace NeuralCore.Layers.Import;

/// <summary>
/// How Keras 3 names a layer's group in a <c>.weights.h5</c> file: not by the layer's name (names are often
/// generated, so not reproducible) but by its position, as the snake_case of its class name plus a counter over the
/// earlier layers of that class in the same container: <c>conv2d</c>, <c>conv2d_1</c>, ... <c>batch_normalization_3</c>.
/// HDF5 lists groups alphabetically (<c>conv2d_10</c> before <c>conv2d_2</c>) and the file keeps no order between
/// classes, but within one class the counter is the model's order, which is all Keras 3 itself uses to load.
/// </summary>
internal static class Keras3Names
{
    /// <summary>The snake_case Keras class of one of our weighted layers, or null if Keras has no equivalent.</summary>
    public static string? ClassOf(Module layer) => layer switch
    {
        Conv2d => "conv2d",
        DepthwiseConv2d => "depthwise_conv2d",
        ConvTranspose2d => "conv2d_transpose",
        BatchNorm2d => "batch_normalization",
        _ => null,
    };

    /// <summary>Splits a group name into its class and counter: <c>conv2d_12</c> is (conv2d, 12), <c>conv2d</c> is (conv2d, 0).</summary>
    public static (string Class, int Counter) Parse(string groupName)
    {
        var underscore = groupName.LastIndexOf('_');
        if (underscore > 0 && int.TryParse(groupName.AsSpan(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var counter))
            return (groupName[..underscore], counter);
        return (groupName, 0);
    }

    /// <summary>
    /// The group name of a top-level layer (<c>layers/conv2d_3</c>), or null for a layer of a nested model
    /// (<c>layers/functional/layers/dense</c>), whose place among the outer layers the file does not record.
    /// </summary>
    public static string? TopLevelGroup(string fileLayerPath)
    {
        var parts = fileLayerPath.Split('/');
        return parts.Length == 2 ? parts[1] : null;
    }
}
