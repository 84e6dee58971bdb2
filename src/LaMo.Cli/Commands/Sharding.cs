using System.CommandLine;
using LaMo.Data;
using LaMo.Distributed;
using LaMo.Workflows;

namespace LaMo.Cli.Commands;

/// <summary><c>--shard i/N</c> for encode, sample and eval, the MPI variant of it, and <c>lamo merge</c>.</summary>
public static class Sharding
{
    /// <summary>The <c>--shard</c> option.</summary>
    public static Option<string?> Option() => new("--shard")
    {
        Description = "Run only part i of N (e.g. 0/4) into OUT.parts/i-of-N; `lamo merge OUT` combines the parts. " +
            "Under mpirun/srun each rank runs its part and rank 0 merges",
    };

    /// <summary>Runs a job whole, as the part named by <c>--shard</c>, or under an MPI launcher as this rank's part followed
    /// by rank 0's merge into <paramref name="output"/>.</summary>
    /// <param name="run">Runs the job (part null = whole) and prints its summary to the writer given.</param>
    public static int Run(ParseResult p, Option<string?> shard, string output, Action<DataShard?, TextWriter> run)
    {
        var w = p.InvocationConfiguration.Output;
        if (p.GetValue(shard) is { } s)
        {
            if (MpiContext.LaunchedByMpi)   // every rank would run the same part into the same folder
                throw new ArgumentException("--shard and an MPI launch both split the job: use one (under mpirun each rank runs its own part)");
            var part = DataShard.Parse(s);
            run(part, w);
            w.WriteLine($"part {part}: complete in {ShardParts.PartFolder(output, part)}; after all {part.Count} parts: lamo merge {output}");
            return 0;
        }
        using var session = MpiSession.Start(w);
        if (session.Context is not { Size: > 1 } mpi) { run(null, w); return 0; }
        session.Run(() => { run(new DataShard(mpi.Rank, mpi.Size), session.Output); return 0; }, p.InvocationConfiguration.Error);
        mpi.Barrier();
        if (mpi.IsRoot) PrintMerge(MergeWorkflow.Run(output), w);
        return 0;
    }

    /// <summary><c>lamo merge OUT</c>.</summary>
    public static Command MergeCommand()
    {
        var output = new Argument<string>("out") { Description = "Output of the sharded job (its parts are in OUT.parts/)" };
        var remove = new Option<bool>("--remove-parts") { Description = "Delete the part folders after a successful merge (frees the disk a cache's parts take; a later sharded run re-does every part)" };
        var status = new Option<bool>("--status") { Description = "List the parts (complete, incomplete or missing) and merge nothing; exits 1 until every part is complete" };
        var cmd = new Command("merge", "Combine the parts of a sharded encode, sample or eval run (OUT.parts/i-of-N) into OUT") { output, remove, status };
        cmd.SetAction(p =>
        {
            string target = p.GetValue(output)!;
            if (p.GetValue(status))
            {
                var parts = ShardParts.Status(target);
                if (parts.Count == 0)
                    throw new IOException($"{ShardParts.PartsFolder(target)}: no part folders (no sharded job wrote to {target})");
                foreach (var (name, exists, marker) in parts)
                    p.InvocationConfiguration.Output.WriteLine($"{name}: {(!exists ? "missing (never started)" : marker is null ? "incomplete (no part.json)" : $"complete, {marker.Kind}")}");
                var notDone = parts.Where(x => x.Marker is null).Select(x => x.Name).ToList();
                p.InvocationConfiguration.Output.WriteLine($"{parts.Count - notDone.Count} of {parts.Count} parts complete in {ShardParts.PartsFolder(target)}"
                    + (notDone.Count > 0 ? $"; to run: {string.Join(", ", notDone)}" : ""));
                return notDone.Count == 0 ? 0 : 1;   // scripts can resubmit until it is 0
            }
            var outcome = MergeWorkflow.Run(target);
            PrintMerge(outcome, p.InvocationConfiguration.Output);
            if (p.GetValue(remove))
            {
                foreach (var (folder, _) in ShardParts.Collect(target)) Directory.Delete(folder, recursive: true);   // keeps merged.json
                p.InvocationConfiguration.Output.WriteLine($"removed the {outcome.Parts} parts in {ShardParts.PartsFolder(target)}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Prints a merge: its line, and the tables of a merged evaluation.</summary>
    public static void PrintMerge(MergeOutcome m, TextWriter w)
    {
        if (m.Result is LaMo.Evaluation.Physics.PhysicsBenchmarkResult physics) EvalCommands.PrintPhysics(w, physics, physics.Rows[0].Method);
        if (m.Result is LaMo.Evaluation.Motion.MotionReport motion) EvalCommands.PrintMotion(w, motion);
        w.WriteLine($"merge: {m.Parts} {m.Kind} parts ({m.Items} items)");
    }
}
