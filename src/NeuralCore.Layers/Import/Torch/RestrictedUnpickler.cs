using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace NeuralCore.Layers.Import.Torch;

/// <summary>
/// A pickle virtual machine for data only. It knows the opcodes that <c>torch.save</c> writes (protocol 2, and the
/// framing and short-string opcodes of protocols 3-5 for <c>pickle_protocol=4</c>), builds plain Python values from
/// them, and hands every global, call, BUILD and persistent id to <see cref="IPickleRules"/>. There is no INST, OBJ,
/// NEWOBJ or extension registry: nothing in a file can name code that runs. Any other opcode is refused by name.
/// </summary>
public sealed class RestrictedUnpickler
{
    private const int HighestProtocol = 5;
    private static readonly object Mark = new();

    private readonly byte[] _data;
    private readonly IPickleRules _rules;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    private RestrictedUnpickler(byte[] data, int start, IPickleRules rules)
    {
        _data = data;
        _pos = start;
        _rules = rules;
    }

    /// <summary>
    /// Runs the pickle that starts at <paramref name="start"/> up to its STOP; returns its value and the position
    /// after STOP (the legacy torch format stores several pickles back to back).
    /// </summary>
    public static (object? Value, int End) Load(byte[] data, int start, IPickleRules rules)
    {
        var machine = new RestrictedUnpickler(data, start, rules);
        var value = machine.Run();
        return (value, machine._pos);
    }

    private object? Run()
    {
        while (true)
        {
            var at = _pos;
            var op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > HighestProtocol) throw Error(at, $"pickle protocol {protocol}, expected at most {HighestProtocol}");
                    break;
                case 0x95: ReadSlice(8); break; // FRAME: a length hint; the data follows inline
                case (byte)'.': return _stack.Count == 1 && _marks.Count == 0 ? Pop() : throw Error(at, "STOP with an unbalanced stack");
                case (byte)'(': _marks.Add(_stack.Count); _stack.Add(Mark); break;

                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadSlice(4))); break;
                case (byte)'K': Push((long)ReadByte()); break;
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSlice(2))); break;
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(ReadLength(4, at))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadSlice(8))); break;
                case (byte)'X': Push(ReadUtf8(ReadLength(4, at))); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadLength(8, at))); break; // BINUNICODE8
                case (byte)'C': Push(ReadSlice(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': Push(ReadSlice(ReadLength(4, at)).ToArray()); break; // BINBYTES

                case (byte)')': Push(new PickleTuple([])); break;
                case 0x85: Push(new PickleTuple(PopMany(1))); break;
                case 0x86: Push(new PickleTuple(PopMany(2))); break;
                case 0x87: Push(new PickleTuple(PopMany(3))); break;
                case (byte)'t': Push(new PickleTuple(PopToMark(at))); break;
                case (byte)']': Push(new List<object?>()); break;
                case (byte)'a': AppendTo(Peek(1, at), [Pop()], at); break;
                case (byte)'e': var appended = PopToMark(at); AppendTo(Peek(0, at), appended, at); break;
                case (byte)'}': Push(new PickleDict()); break;
                case (byte)'s': var value = Pop(); var key = Pop(); DictAt(0, at).Set(key, value); break;
                case (byte)'u': SetItems(PopToMark(at), DictAt(0, at), at); break;

                case (byte)'q': _memo[ReadByte()] = Peek(0, at); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadSlice(4))] = Peek(0, at); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(0, at); break; // MEMOIZE
                case (byte)'h': Push(FromMemo(ReadByte(), at)); break; // BINGET
                case (byte)'j': Push(FromMemo(BinaryPrimitives.ReadUInt32LittleEndian(ReadSlice(4)), at)); break; // LONG_BINGET

                case (byte)'c': // GLOBAL "module\nname\n"
                    var module = ReadLine(at);
                    Push(_rules.ResolveGlobal(module, ReadLine(at)));
                    break;
                case 0x93: // STACK_GLOBAL
                    var globalName = Pop() as string ?? throw Error(at, "STACK_GLOBAL needs two strings");
                    var globalModule = Pop() as string ?? throw Error(at, "STACK_GLOBAL needs two strings");
                    Push(_rules.ResolveGlobal(globalModule, globalName));
                    break;
                case (byte)'R': // REDUCE
                    var args = Pop() as PickleTuple ?? throw Error(at, "REDUCE needs an argument tuple");
                    var callable = Pop() as PickleGlobal ?? throw Error(at, "REDUCE needs a global to call");
                    Push(_rules.Call(callable, args));
                    break;
                case (byte)'b': var state = Pop(); _rules.Build(Peek(0, at), state); break; // BUILD
                case (byte)'Q': Push(_rules.PersistentLoad(Pop())); break; // BINPERSID

                default:
                    throw Error(at, $"refusing pickle opcode 0x{op:x2}{(op is >= 0x20 and < 0x7f ? $" ('{(char)op}')" : "")} " +
                        "(only the opcodes torch.save writes are accepted)");
            }
        }
    }

    private InvalidDataException Error(int at, string message) => new($"{message} at pickle byte {at}");

    private byte ReadByte() =>
        _pos < _data.Length ? _data[_pos++] : throw new InvalidDataException($"pickle truncated at byte {_pos} (no STOP)");

    private ReadOnlySpan<byte> ReadSlice(int length)
    {
        if (length > _data.Length - _pos)
            throw new InvalidDataException($"pickle truncated at byte {_pos}: {length} bytes needed, {_data.Length - _pos} left");
        var slice = _data.AsSpan(_pos, length);
        _pos += length;
        return slice;
    }

    private int ReadLength(int bytes, int at)
    {
        var raw = ReadSlice(bytes);
        var length = bytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : BinaryPrimitives.ReadUInt64LittleEndian(raw);
        return length <= (ulong)(_data.Length - _pos) ? (int)length
            : throw Error(at, $"pickle truncated: a length of {length} runs past the end ({_data.Length - _pos} bytes left)");
    }

    private string ReadUtf8(int length) => Encoding.UTF8.GetString(ReadSlice(length));

    private string ReadLine(int at)
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Error(at, "GLOBAL without a line end");
        var text = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return text;
    }

    /// <summary>Two's-complement little-endian integer; a long when it fits (every real checkpoint), else BigInteger.</summary>
    private object ReadLong(int length)
    {
        var value = new BigInteger(ReadSlice(length), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark))
            throw new InvalidDataException($"pickle stack underflow at byte {_pos}");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek(int depth, int at)
    {
        var index = _stack.Count - 1 - depth;
        if (index < 0 || ReferenceEquals(_stack[index], Mark)) throw Error(at, "pickle stack underflow");
        return _stack[index];
    }

    private object?[] PopMany(int count)
    {
        var items = new object?[count];
        for (var i = count - 1; i >= 0; i--) items[i] = Pop();
        return items;
    }

    private object?[] PopToMark(int at)
    {
        if (_marks.Count == 0) throw Error(at, "pickle has no MARK to pop to");
        var mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1).ToArray();
        if (items.Any(i => ReferenceEquals(i, Mark))) throw Error(at, "pickle MARKs are unbalanced");
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private object? FromMemo(long key, int at) =>
        _memo.TryGetValue(key, out var value) ? value : throw Error(at, $"pickle memo {key} was never stored");

    private PickleDict DictAt(int depth, int at) =>
        Peek(depth, at) as PickleDict ?? throw Error(at, "SETITEM(S) on something that is not a dict");

    private void AppendTo(object? target, object?[] items, int at)
    {
        if (target is not List<object?> list) throw Error(at, "APPEND(S) on something that is not a list");
        list.AddRange(items);
    }

    private void SetItems(object?[] flat, PickleDict dict, int at)
    {
        if (flat.Length % 2 != 0) throw Error(at, "SETITEMS with an odd number of values");
        for (var i = 0; i < flat.Length; i += 2) dict.Set(flat[i], flat[i + 1]);
    }
}
