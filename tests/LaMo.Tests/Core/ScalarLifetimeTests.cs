using System.Reflection;
using System.Reflection.Emit;
using LaMo.Core;
using Xunit;

namespace LaMo.Tests.Core;

/// <summary>The library makes no TorchSharp <c>Scalar</c> that the garbage collector could finalise while a native call
/// still uses it: no implicit number → Scalar conversion and no TorchSharp operator taking a bare number, outside
/// <see cref="KeptScalars"/> (read from the compiled IL, so nothing escapes a text search).</summary>
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void Library_HasNoUnkeptScalars()
    {
        var offenders = UnkeptScalarCalls(typeof(KeptScalars).Assembly).ToList();
        Assert.True(offenders.Count == 0,
            $"{offenders.Count} call(s) make a Scalar nobody keeps alive; write Sc(value) (LaMo.Core.KeptScalars):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Scanner_FindsTheHazardInCodeThatHasIt()
    {
        var offenders = UnkeptScalarCalls(typeof(ScalarLifetimeTests).Assembly).ToList();
        Assert.Contains(offenders, o => o.Contains(nameof(HazardExample)));
        Assert.DoesNotContain(offenders, o => o.Contains(nameof(KeptExample)));
        Assert.Contains(offenders, o => o.Contains(nameof(HiddenAlphaExample)));
        Assert.DoesNotContain(offenders, o => o.Contains(nameof(KeptAlphaExample)));
        Assert.Contains(offenders, o => o.Contains(nameof(HiddenOperatorExample)));
        Assert.Contains(offenders, o => o.Contains(nameof(HiddenRsubExample)));
        Assert.DoesNotContain(offenders, o => o.Contains(nameof(KeptRsubExample)));
    }

    private static TorchSharp.torch.Tensor HazardExample(TorchSharp.torch.Tensor t) => 1.0 - t * 0.5;

    private static TorchSharp.torch.Tensor KeptExample(TorchSharp.torch.Tensor t) => (t * KeptScalars.Sc(0.5)).neg().add(KeptScalars.Sc(1.0), KeptScalars.Sc(1));

    private static TorchSharp.torch.Tensor HiddenAlphaExample(TorchSharp.torch.Tensor t) => t.add(t);

    private static TorchSharp.torch.Tensor KeptAlphaExample(TorchSharp.torch.Tensor t) => t.add(t, KeptScalars.Sc(1));

    private static TorchSharp.torch.Tensor HiddenOperatorExample(TorchSharp.torch.Tensor t) => t + t;

    private static TorchSharp.torch.Tensor HiddenRsubExample(TorchSharp.torch.Tensor t) => KeptScalars.Sc(1.0) - t;

    private static TorchSharp.torch.Tensor KeptRsubExample(TorchSharp.torch.Tensor t) => KeptScalars.OneMinus(t);

    /// <summary>"Type.Method → callee" for every call that turns a number into an unkept Scalar.</summary>
    public static IEnumerable<string> UnkeptScalarCalls(Assembly assembly)
    {
        var opcodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            if (type == typeof(KeptScalars)) continue;
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                var il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is null) continue;
                for (int i = 0; i < il.Length;)
                {
                    short code = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
                    i += il[i] == 0xFE ? 2 : 1;
                    var op = opcodes[code];
                    if ((op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj) && Callee(method, BitConverter.ToInt32(il, i)) is { } callee && MakesUnkeptScalar(callee))
                        yield return $"{type.FullName}.{method.Name} → {callee.DeclaringType?.Name}.{callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})";
                    i += OperandSize(op, il, i);
                }
            }
        }
    }

    private static bool MakesUnkeptScalar(MethodBase callee)
    {
        var declaring = callee.DeclaringType;
        if (declaring?.Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) != true) return false;
        if (callee.Name == "ToScalar") return true;
        if (declaring.FullName == "TorchSharp.Scalar" && callee.Name == "op_Implicit") return true;
        // Tensor operators with a bare number convert it to a Scalar inside TorchSharp (t * 0.5, 1.0 - t).
        if (callee.Name.StartsWith("op_", StringComparison.Ordinal)
            && declaring.FullName == "TorchSharp.torch+Tensor" && callee.GetParameters().Any(p => p.ParameterType.IsPrimitive))
            return true;
        // Methods and operators that make a default Scalar themselves, directly or one call down: add(t) passes alpha = 1,
        // arange(n) start and step, square() the exponent 2, tensor + tensor calls add(t), Scalar − tensor calls rsub.
        // Give them explicitly (add(t, Sc(1)), arange(Sc(0), Sc(n), Sc(1)), pow(Sc(2)), t.neg().add(Sc(x), Sc(1))).
        return MakesScalarWithin(callee, depth: 2);
    }

    private static bool MakesScalarWithin(MethodBase method, int depth) =>
        MakesScalarInside.GetOrAdd((method, depth), key => CallsIn(key.Method).Any(inner =>
            inner.Name == "ToScalar"
            || (inner.DeclaringType?.FullName == "TorchSharp.Scalar" && inner.Name == "op_Implicit")
            || (key.Depth > 1 && inner.DeclaringType?.Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) == true
                && MakesScalarWithin(inner, key.Depth - 1))));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(MethodBase Method, int Depth), bool> MakesScalarInside = new();

    // The methods a method's IL calls.
    private static IEnumerable<MethodBase> CallsIn(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        for (int i = 0; i < il.Length;)
        {
            short code = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = Opcodes[code];
            if ((op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj) && Callee(method, BitConverter.ToInt32(il, i)) is { } callee)
                yield return callee;
            i += OperandSize(op, il, i);
        }
    }

    private static readonly Dictionary<short, OpCode> Opcodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static MethodBase? Callee(MethodBase caller, int token)
    {
        try
        {
            var typeArgs = caller.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
            var methodArgs = caller.IsGenericMethod ? caller.GetGenericArguments() : null;
            return caller.Module.ResolveMethod(token, typeArgs, methodArgs);
        }
        catch (ArgumentException) { return null; }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
