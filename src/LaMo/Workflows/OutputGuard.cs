using LaMo.Core;

namespace LaMo.Workflows;

/// <summary>No silent overwrites for <c>lamo sample</c> and <c>lamo eval</c>: an output that already exists is refused
/// in one line naming it, unless <c>--overwrite</c>.</summary>
public static class OutputGuard
{
    /// <summary>Refuses <paramref name="folder"/> when it holds files <paramref name="isOutput"/> recognises, unless
    /// <paramref name="overwrite"/>; then those files are deleted (the earlier output is replaced, nothing else touched).</summary>
    /// <param name="folder">Output folder.</param>
    /// <param name="overwrite"><c>--overwrite</c> was given.</param>
    /// <param name="isOutput">Recognises the command's own output files by name.</param>
    /// <param name="what">What the files are, for the message.</param>
    /// <param name="delete">Delete them (false: only check, e.g. for all but one part of a sharded run).</param>
    /// <returns>The earlier output files deleted.</returns>
    /// <exception cref="OutputExistsException">Earlier output and no <paramref name="overwrite"/>.</exception>
    public static int ClaimFolder(string folder, bool overwrite, Func<string, bool> isOutput, string what, bool delete = true)
    {
        if (!Directory.Exists(folder)) return 0;
        var earlier = Directory.EnumerateFiles(folder).Where(f => isOutput(Path.GetFileName(f))).ToList();
        if (earlier.Count == 0) return 0;
        if (!overwrite)
            throw new OutputExistsException($"{folder} already holds {what} ({earlier.Count} file(s), e.g. {Path.GetFileName(earlier[0])}): choose another --out, or pass --overwrite to replace them");
        if (!delete) return 0;
        foreach (var f in earlier) File.Delete(f);
        return earlier.Count;
    }

    /// <summary>Refuses an existing file <paramref name="path"/> unless <paramref name="overwrite"/>.</summary>
    /// <exception cref="OutputExistsException">The file exists and no <paramref name="overwrite"/>.</exception>
    public static void ClaimFile(string path, bool overwrite)
    {
        if (File.Exists(path) && !overwrite)
            throw new OutputExistsException($"{path} already exists: choose another --out, or pass --overwrite to replace it");
    }
}
