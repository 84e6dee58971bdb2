using System.Reflection;
using System.Reflection.Emit;
using LaMo.Core;

namespace LaMo.Tests.Core;

/// <summary>Finds, in compiled IL, every call to a <c>torch</c> tensor factory that passes no <c>device</c> (a literal null:
/// the tensor lands on the default device, the CPU, whatever device the model is on), outside code marked
/// <see cref="HostTensorsAttribute"/>. <c>*_like</c> factories take their input's device and are not reported; nor are
/// nn modules, which are moved whole with <c>Module.to(device)</c>, nor generators (CPU generators on purpose).</summary>
internal static class HostTensorScanner
{
    private static readonly Dictionary<short, OpCode> Opcodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>"Type.Method → callee" for each unmarked call that leaves the device out.</summary>
    public static IEnumerable<string> CpuDefaultCalls(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (Marked(method)) continue;
            var body = method.GetMethodBody()?.GetILAsByteArray();
            if (body is null) continue;
            var code = Decode(method, body);
            for (int i = 0; i < code.Count; i++)
            {
                if (code[i].Callee is not { } callee || !TakesDevice(callee, out int after)) continue;
                if (Producer(code, i, after) is { } p && code[p].Op == OpCodes.Ldnull)
                    yield return $"{type.FullName}.{method.Name} → {callee.DeclaringType?.Name}.{callee.Name}";
            }
        }
    }

    // A torch factory with a Device parameter; `after` = the parameters after it.
    private static bool TakesDevice(MethodBase callee, out int after)
    {
        after = 0;
        // The static tensor factories of torch (zeros, randn, arange, tensor, ...); the *_like ones take their input's device, and nn
        // modules built on the CPU are moved whole with Module.to(device).
        if (callee.DeclaringType?.FullName != "TorchSharp.torch" || callee.Name.EndsWith("_like", StringComparison.Ordinal)) return false;
        var ps = callee.GetParameters();
        int at = Array.FindIndex(ps, p => p.Name == "device" && p.ParameterType.Name == "Device");
        if (at < 0) return false;
        after = ps.Length - 1 - at;
        return true;
    }

    // The instruction whose value is the argument `after` places below the top of the stack at call `at` (walking back
    // over the stack effects of the argument expressions pushed after it). Null when the walk meets something it cannot
    // follow.
    private static int? Producer(List<Instruction> code, int at, int after)
    {
        int need = after;
        for (int i = at - 1; i >= 0; i--)
        {
            var (pops, pushes) = Effect(code[i]);
            if (pops < 0) return null;
            if (pushes > need) return i;
            need = need - pushes + pops;
        }
        return null;
    }

    private static (int Pops, int Pushes) Effect(Instruction ins)
    {
        var op = ins.Op;
        int pushes = op.StackBehaviourPush switch
        {
            StackBehaviour.Push0 => 0,
            StackBehaviour.Push1_push1 => 2,
            StackBehaviour.Varpush => ins.Callee switch
            {
                ConstructorInfo => 1,
                MethodInfo m => m.ReturnType == typeof(void) ? 0 : 1,
                _ => -1,
            },
            _ => 1,
        };
        int pops = op.StackBehaviourPop switch
        {
            StackBehaviour.Pop0 => 0,
            StackBehaviour.Pop1 or StackBehaviour.Popi or StackBehaviour.Popref => 1,
            StackBehaviour.Popi_popi_popi or StackBehaviour.Popref_popi_popi or StackBehaviour.Popref_popi_popi8 or StackBehaviour.Popref_popi_popr4
                or StackBehaviour.Popref_popi_popr8 or StackBehaviour.Popref_popi_popref => 3,
            StackBehaviour.Varpop => ins.Callee switch
            {
                ConstructorInfo c when op == OpCodes.Newobj => c.GetParameters().Length,
                MethodBase m => m.GetParameters().Length + (m.IsStatic ? 0 : 1),
                _ => -1,
            },
            _ => 2,
        };
        if (op.FlowControl is FlowControl.Branch or FlowControl.Cond_Branch or FlowControl.Return or FlowControl.Throw) return (-1, 0);
        return (pushes < 0 ? -1 : pops, pushes);
    }

    // Marked itself, or its type or an enclosing type; a lambda or local function counts as the method it is written in.
    private static bool Marked(MethodBase method)
    {
        if (method.IsDefined(typeof(HostTensorsAttribute), false)) return true;
        for (var t = method.DeclaringType; t is not null; t = t.DeclaringType)
        {
            if (t.IsDefined(typeof(HostTensorsAttribute), false)) return true;
            string outer = OuterName(method.Name);
            if (outer.Length > 0 && t.GetMember(outer, All).Any(m => m.IsDefined(typeof(HostTensorsAttribute), false))) return true;
        }
        return false;
    }

    // "<Generate>b__12_0" or "<Forward>g__Local|3_0" → the method written in the source.
    private static string OuterName(string name) =>
        name.StartsWith('<') && name.IndexOf('>') is > 1 and var end ? name[1..end] : "";

    private sealed record Instruction(OpCode Op, MethodBase? Callee);

    private static List<Instruction> Decode(MethodBase method, byte[] il)
    {
        var list = new List<Instruction>();
        for (int i = 0; i < il.Length;)
        {
            short c = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = Opcodes[c];
            MethodBase? callee = op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj ? Resolve(method, BitConverter.ToInt32(il, i)) : null;
            list.Add(new Instruction(op, callee));
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
        return list;
    }

    private static MethodBase? Resolve(MethodBase caller, int token)
    {
        try
        {
            var typeArgs = caller.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
            var methodArgs = caller.IsGenericMethod ? caller.GetGenericArguments() : null;
            return caller.Module.ResolveMethod(token, typeArgs, methodArgs);
        }
        catch (ArgumentException) { return null; }
    }
}
