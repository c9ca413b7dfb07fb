// A tour of NeuralCore's autograd: build tensors, record a tiny two-layer network on the tape, print the recorded
// graph, run backward, and check every gradient against finite differences. Exits 1 if the check fails.
using NeuralCore.Autograd;
using NeuralCore.Tensors;

// Every tensor created while this scope is innermost is released when it ends (here: at the end of the program).
using var scope = TensorScope.Begin();

// 1. Tensors. float64, so that the finite differences of step 4 are accurate to about 1e-9.
var rng = new RandomGenerator(seed: 42);
Tensor Random(string name, params int[] shape)
{
    var t = Tensor.Zeros(shape, DType.Float64);
    rng.FillNormal(t.Span<double>(), std: 0.5);
    t.Name = name;
    return t;
}
var x = Random("x", 4, 3);        // a batch of 4 samples with 3 features each: [N, features]
var target = Random("target", 4, 1);
Tensor[] parameters = [Random("w1", 3, 5), Random("b1", 5), Random("w2", 5, 1), Random("b2", 1)];
foreach (var p in parameters) p.RequiresGrad = true;   // ops on these are recorded; x and target are constants

// 2. The model, loss = mean((tanh(x w1 + b1) w2 + b2 - target)^2). Each F.* op computes its result and, because an
// input requires a gradient, appends a node to this thread's tape: the op, its inputs and what its backward needs.
Tensor Loss(Tensor input, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
{
    var hidden = F.Tanh(F.Add(F.Matmul(input, w1), b1));
    var error = F.Sub(F.Add(F.Matmul(hidden, w2), b2), target);
    return F.Mean(F.Mul(error, error));
}
var loss = Loss(x, parameters[0], parameters[1], parameters[2], parameters[3]);
Console.WriteLine($"loss = {loss.Item<double>():F6}; the tape recorded {Tape.Current.LiveNodes().Count} ops:");
Console.Write(Tape.Current.Describe());

// 3. Backward walks the tape in reverse and accumulates d(loss)/d(parameter) into each parameter's Grad.
loss.Backward();
foreach (var p in parameters)
    Console.WriteLine($"d{p.Name} {p.Grad!.Shape}: {string.Join(", ", p.Grad.ToDoubleArray().Select(v => v.ToString("F5")))}");
Console.WriteLine($"after backward the tape holds {Tape.Current.LiveNodes().Count} live ops (backward consumes the graph)");

// 4. Gradient check: autograd's gradients of every input against central differences of the same function.
var check = GradCheck.Check(t => Loss(t[0], t[1], t[2], t[3], t[4]), [x, .. parameters], wrt: [0, 1, 2, 3, 4]);
Console.WriteLine($"gradient check: {(check.Passed ? "passed" : "FAILED")}; worst element: {check.Detail}");
return check.Passed ? 0 : 1;
