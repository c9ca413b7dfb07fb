using NeuralCore.Autograd;
using NeuralCore.Tensors;

namespace NeuralCore.Layers.Optim;

/// <summary>
/// Updates named parameters from their gradients with one of the in-place update ops. Each parameter's state
/// (momentum, moments) lives in zero-initialised persistent tensors ("slots") created the first time the parameter
/// is updated, so parameters that stay frozen cost nothing and an encoder unfrozen for fine-tuning starts from zero
/// state. <see cref="StateDict"/> / <see cref="LoadStateDict"/> carry that state through a checkpoint bit for bit.
/// </summary>
/// <remarks>
/// The step counter is global (Keras' <c>iterations</c>): Adam's bias correction uses it for every parameter,
/// including one that was frozen for the first steps.
/// </remarks>
public abstract class Optimizer : IDisposable
{
    /// <summary>The state-dict key of the step counter (an int32 [1] tensor).</summary>
    public const string StepKey = "step";

    private readonly List<(string Name, Tensor Tensor)> _parameters;
    private readonly Dictionary<string, Tensor[]> _slots = new(StringComparer.Ordinal);
    private readonly Tensor _stepTensor;
    private double _learningRate;

    /// <param name="parameters">Every parameter the optimizer may update, with unique full names (<see cref="Module.NamedParameters"/>).
    /// Frozen parameters may be included: <see cref="Step"/> skips those without <see cref="Tensor.RequiresGrad"/> or a gradient.</param>
    protected Optimizer(string name, IEnumerable<(string Name, Tensor Tensor)> parameters, double learningRate)
    {
        Name = name;
        _parameters = parameters.ToList();
        var duplicate = _parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"{name}: parameter name '{duplicate.Key}' appears {duplicate.Count()} times");
        LearningRate = learningRate;
        using (TensorScope.Persistent()) _stepTensor = Tensor.Zeros([1], DType.Int32);
        _stepTensor.Name = StepKey;
    }

    /// <summary>"sgd", "adam", "adamw" or "rmsprop".</summary>
    public string Name { get; }

    public IReadOnlyList<(string Name, Tensor Tensor)> Parameters => _parameters;

    /// <summary>The learning rate of the next <see cref="Step"/>; set by <see cref="Schedule"/> when there is one.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: learning rate must be finite and >= 0, got {value}");
            _learningRate = value;
        }
    }

    /// <summary>When set, each <see cref="Step"/> first sets <see cref="LearningRate"/> to <c>Schedule.At(StepCount)</c>.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>Completed steps (restored by <see cref="LoadStateDict"/>, so a schedule resumes where it stopped).</summary>
    public int StepCount { get; private set; }

    /// <summary>The state slots of each parameter under the current hyper-parameters, e.g. ["m", "v"] for Adam.</summary>
    public abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>
    /// Applies one update to every parameter that requires a gradient and has one, without recording on the tape.
    /// Gradients are left in place (call <see cref="ZeroGrad"/>).
    /// </summary>
    public void Step()
    {
        if (Schedule is not null) LearningRate = Schedule.At(StepCount);
        int step = checked(StepCount + 1);
        using (GradMode.NoGrad())
        {
            foreach (var (name, param) in _parameters)
            {
                if (!param.RequiresGrad || param.Grad is null) continue;
                Update(param, param.Grad, SlotsOf(name, param), step);
            }
        }
        StepCount = step;
        _stepTensor.Span<int>()[0] = step;
    }

    /// <summary>One parameter's in-place update. <paramref name="slots"/> follow <see cref="SlotNames"/>; <paramref name="step"/> is 1-based.</summary>
    protected abstract void Update(Tensor param, Tensor grad, Tensor[] slots, int step);

    /// <summary>Drops every parameter's gradient (set to none, as PyTorch's zero_grad): the memory goes back to the pool.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, param) in _parameters)
        {
            param.Grad?.Dispose();
            param.Grad = null;
        }
    }

    private Tensor[] SlotsOf(string name, Tensor param)
    {
        if (_slots.TryGetValue(name, out var slots)) return slots;
        slots = new Tensor[SlotNames.Count];
        using (TensorScope.Persistent())
        {
            for (int i = 0; i < slots.Length; i++) slots[i] = Named(Tensor.Zeros(param.Shape, param.DType, param.Device), SlotKey(name, SlotNames[i]));
        }
        _slots[name] = slots;
        return slots;
    }

    private static string SlotKey(string parameter, string slot) => parameter + "/" + slot;

    private int SlotIndex(string slot)
    {
        for (int i = 0; i < SlotNames.Count; i++)
            if (SlotNames[i] == slot) return i;
        return -1;
    }

    private static Tensor Named(Tensor t, string name)
    {
        t.Name = name;
        return t;
    }

    /// <summary>
    /// The optimizer's state: "<c>&lt;parameter full name&gt;/&lt;slot&gt;</c>" for every parameter updated so far,
    /// and <see cref="StepKey"/>. The tensors are the optimizer's own (no copies): read or save them, do not dispose them.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [StepKey] = _stepTensor };
        foreach (var (name, _) in _parameters)
            if (_slots.TryGetValue(name, out var slots))
                for (int i = 0; i < slots.Length; i++) state[SlotKey(name, SlotNames[i])] = slots[i];
        return state;
    }

    /// <summary>
    /// Restores a <see cref="StateDict"/> (copies the values; the caller keeps ownership of <paramref name="state"/>).
    /// Every key must name a parameter of this optimizer and one of its slots, with the parameter's shape and dtype,
    /// and a parameter's slots come all or none. Nothing changes unless everything fits; the error lists every problem.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var problems = new List<string>();
        int step = ReadStep(state, problems);
        var byParameter = new Dictionary<string, Tensor[]>(StringComparer.Ordinal);
        var parameters = _parameters.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        foreach (var (key, tensor) in state.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key == StepKey) continue;
            int cut = key.LastIndexOf('/');
            string parameter = cut < 0 ? key : key[..cut], slot = cut < 0 ? "" : key[(cut + 1)..];
            int slotIndex = SlotIndex(slot);
            if (!parameters.TryGetValue(parameter, out var param))
                problems.Add($"'{key}': no parameter '{parameter}' in this optimizer");
            else if (slotIndex < 0)
                problems.Add($"'{key}': {Name} has no slot '{slot}' (its slots: {string.Join(", ", SlotNames.DefaultIfEmpty("none"))})");
            else if (tensor.Shape != param.Shape || tensor.DType != param.DType)
                problems.Add($"'{key}': state is {tensor.DType.Name()} {tensor.Shape}, parameter is {param.DType.Name()} {param.Shape}");
            else
            {
                if (!byParameter.TryGetValue(parameter, out var slots)) byParameter[parameter] = slots = new Tensor[SlotNames.Count];
                slots[slotIndex] = tensor;
            }
        }
        foreach (var (parameter, slots) in byParameter)
            for (int i = 0; i < slots.Length; i++)
                if (slots[i] is null) problems.Add($"'{SlotKey(parameter, SlotNames[i])}' is missing while the parameter's other slots are present");
        if (problems.Count > 0)
            throw new InvalidDataException($"{Name} optimizer state does not fit: {string.Join("; ", problems)}");

        // Copies first: the state may be this optimizer's own StateDict, whose tensors are about to be disposed.
        var loaded = new Dictionary<string, Tensor[]>(StringComparer.Ordinal);
        using (TensorScope.Persistent())
        {
            foreach (var (parameter, sources) in byParameter)
                loaded[parameter] = sources.Select((source, i) => Named(CopyOnto(source, parameters[parameter].Device), SlotKey(parameter, SlotNames[i]))).ToArray();
        }
        DisposeSlots();
        foreach (var (parameter, slots) in loaded) _slots[parameter] = slots;
        StepCount = step;
        _stepTensor.Span<int>()[0] = step;
    }

    /// <summary>A copy of <paramref name="source"/> on the parameter's device (state loads on the host, parameters may live on a GPU).</summary>
    private static Tensor CopyOnto(Tensor source, Device device)
    {
        var copy = Tensor.Empty(source.Shape, source.DType, device);
        copy.CopyFrom(source);
        return copy;
    }

    private static int ReadStep(IReadOnlyDictionary<string, Tensor> state, List<string> problems)
    {
        if (!state.TryGetValue(StepKey, out var stepTensor))
        {
            problems.Add($"'{StepKey}' is missing");
            return 0;
        }
        if (stepTensor.DType != DType.Int32 || stepTensor.ElementCount != 1)
        {
            problems.Add($"'{StepKey}' is {stepTensor.DType.Name()} {stepTensor.Shape}, expected int32 [1]");
            return 0;
        }
        int step = stepTensor.Item<int>();
        if (step < 0) problems.Add($"'{StepKey}' is {step}, expected >= 0");
        return step;
    }

    private void DisposeSlots()
    {
        foreach (var slots in _slots.Values)
            foreach (var slot in slots) slot.Dispose();
        _slots.Clear();
    }

    public void Dispose()
    {
        DisposeSlots();
        _stepTensor.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"{Name}(lr={LearningRate}, step={StepCount})";
}
