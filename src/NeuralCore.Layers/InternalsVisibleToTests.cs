using System.Runtime.CompilerServices;

// The ONNX exporter's protobuf encoder is internal; its tests check the wire bytes directly.
[assembly: InternalsVisibleTo("NeuralCore.Layers.Tests")]
