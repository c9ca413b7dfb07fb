using NeuralCore.Tensors;

namespace NeuralCore.Layers;

/// <summary>
/// A layer or a network of layers. Each module has a <see cref="Name"/> (Keras' layer name for layers that carry
/// weights, so weight files map by name), parameters (trainable tensors), buffers (state such as BN running
/// statistics), and child modules. Full names join the path with '/': <c>encoder/block_1_expand/kernel</c>.
/// </summary>
public abstract class Module
{
    private readonly List<Module> _children = new();
    private readonly List<(string Name, Tensor Tensor)> _parameters = new();
    private readonly List<(string Name, Tensor Tensor)> _buffers = new();
    private bool _frozen;

    protected Module(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a module needs a name");
        Name = name;
    }

    public string Name { get; }

    /// <summary>Training mode (dropout active, BN uses batch statistics) or inference mode.</summary>
    public bool Training { get; private set; } = true;

    public IReadOnlyList<Module> Children => _children;

    /// <summary>This module's own parameters in Keras' weight order (kernel, bias; gamma, beta).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> OwnParameters => _parameters;

    /// <summary>This module's own buffers in Keras' weight order (moving_mean, moving_variance).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> OwnBuffers => _buffers;

    /// <summary>Whether the module's parameters are excluded from training (Keras' trainable = False).</summary>
    public bool IsFrozen => _frozen;

    public abstract Tensor Forward(Tensor x);

    /// <summary>
    /// A leaf layer returns its result through this, so an active <see cref="ForwardTrace"/> sees which tensors the
    /// layer consumed (the ONNX exporter rebuilds the network's wiring from it). Costs nothing without a trace.
    /// </summary>
    protected Tensor Traced(Tensor output, params ReadOnlySpan<Tensor> inputs)
    {
        ForwardTrace.Report(this, inputs, output);
        return output;
    }

    protected T Add<T>(T child) where T : Module
    {
        if (_children.Any(c => c.Name == child.Name))
            throw new InvalidOperationException($"module '{Name}' already has a child named '{child.Name}'");
        _children.Add(child);
        return child;
    }

    /// <summary>Creates a persistent parameter, initialised by <paramref name="init"/>.</summary>
    protected Tensor AddParameter(string name, Shape shape, Initializer init)
    {
        Tensor t;
        using (TensorScope.Persistent()) t = Tensor.Empty(shape, DType.Float32);
        init.Fill(t);
        t.Name = name;
        t.RequiresGrad = !_frozen;
        _parameters.Add((name, t));
        return t;
    }

    protected Tensor AddBuffer(string name, Shape shape, double value)
    {
        Tensor t;
        using (TensorScope.Persistent()) t = Tensor.Full(shape, value);
        t.Name = name;
        _buffers.Add((name, t));
        return t;
    }

    /// <summary>Every module below and including this one, depth first in construction order (Keras' layer order).</summary>
    public IEnumerable<(string Path, Module Module)> Modules(string prefix = "")
    {
        string path = prefix.Length == 0 ? Name : prefix + "/" + Name;
        yield return (path, this);
        foreach (var child in _children)
            foreach (var m in child.Modules(path))
                yield return m;
    }

    /// <summary>All parameters with full names, in layer order.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters() =>
        Modules().SelectMany(m => m.Module._parameters.Select(p => (m.Path + "/" + p.Name, p.Tensor)));

    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers() =>
        Modules().SelectMany(m => m.Module._buffers.Select(b => (m.Path + "/" + b.Name, b.Tensor)));

    /// <summary>Parameters the optimizer updates (not frozen).</summary>
    public IEnumerable<Tensor> TrainableParameters() => NamedParameters().Select(p => p.Tensor).Where(t => t.RequiresGrad);

    public long ParameterCount() => NamedParameters().Sum(p => (long)p.Tensor.ElementCount);

    /// <summary>Keras' count: parameters plus non-trainable buffers (BN moving statistics).</summary>
    public long KerasParameterCount() => ParameterCount() + NamedBuffers().Sum(b => (long)b.Tensor.ElementCount);

    /// <summary>
    /// Moves every parameter and buffer (and their gradients) to <paramref name="device"/> in place, like PyTorch's
    /// <c>module.to(device)</c>. Create the optimizer after moving: its state is allocated where the parameters are.
    /// </summary>
    public void MoveTo(Device device)
    {
        foreach (var (_, t) in NamedParameters().Concat(NamedBuffers())) t.MoveTo(device);
    }

    /// <summary>Where the module's parameters live (the device of the first one; CPU for a module without any).</summary>
    public Device Device => NamedParameters().Select(p => p.Tensor.Device).FirstOrDefault(Device.Cpu);

    public void Train(bool training = true)
    {
        foreach (var (_, m) in Modules()) m.Training = training;
    }

    public void Eval() => Train(false);

    /// <summary>Excludes this module's parameters from training (the seeds freeze the pretrained encoder).</summary>
    public void Freeze() => SetFrozen(true);

    /// <summary>Makes the parameters trainable again (the fine-tuning phase).</summary>
    public void Unfreeze() => SetFrozen(false);

    private void SetFrozen(bool frozen)
    {
        foreach (var (_, m) in Modules())
        {
            m._frozen = frozen;
            foreach (var (_, p) in m._parameters)
            {
                p.RequiresGrad = !frozen;
                if (frozen)
                {
                    p.Grad?.Dispose();
                    p.Grad = null;
                }
            }
        }
    }

    /// <summary>Clears every parameter's gradient (PyTorch's zero_grad with set_to_none).</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters())
        {
            p.Grad?.Dispose();
            p.Grad = null;
        }
    }

    public override string ToString() => $"{GetType().Name}('{Name}')";
}
