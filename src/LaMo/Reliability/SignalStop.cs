using System.Runtime.InteropServices;

namespace LaMo.Reliability;

/// <summary>A cancellation source cancelled by SIGINT or SIGTERM, which keeps its signal registrations alive until it is
/// disposed. (A <see cref="PosixSignalRegistration"/> that is not referenced is finalised at the next GC, which silently
/// restores the default action: a SIGTERM then kills a training run without its final checkpoint.)</summary>
public sealed class SignalStop : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private volatile int _received;

    /// <summary>Registers SIGINT and SIGTERM; <paramref name="log"/> gets one line when the first signal arrives.</summary>
    public SignalStop(TextWriter log)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            _registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                if (!_cts.IsCancellationRequested)
                {
                    _received = signal == PosixSignal.SIGINT ? 2 : 15;
                    log.WriteLine($"lamo: {signal} received; finishing the step and writing a checkpoint");
                }
                _cts.Cancel();
            }));
    }

    /// <summary>Cancelled by the first SIGINT/SIGTERM.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The shell's exit code for a run stopped by the signal: 128 + its number (130 for SIGINT, 143 for
    /// SIGTERM), so scripts can tell a stopped run from a finished one; 0 when no signal arrived.</summary>
    public int ExitCode => _received == 0 ? 0 : 128 + _received;

    /// <summary>Unregisters the handlers (the default actions return).</summary>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
