namespace LaMo.Core;

/// <summary>Where a command may write: nothing a user made is replaced without being asked. A command that creates a
/// folder (a dataset, a pipeline, a set of videos) claims it first: a missing or empty folder is fine; a folder that
/// already holds something is refused in one line naming it, unless the user passed <c>--overwrite</c> and the folder
/// holds an earlier output of the same command (recognised by its marker file), which is then removed.</summary>
public static class OutputFolder
{
    /// <summary>Claims <paramref name="folder"/> for a new output whose marker file is <paramref name="marker"/>.</summary>
    /// <param name="command">The command, for the message (e.g. <c>world generate</c>).</param>
    /// <param name="overwrite">Replace an earlier output of this command.</param>
    /// <exception cref="OutputExistsException">The folder holds something and may not be replaced (names it and what to do).</exception>
    public static void Claim(string folder, string marker, string command, bool overwrite)
    {
        if (File.Exists(folder)) throw new OutputExistsException($"{folder}: is a file; {command} writes a folder there");
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return;
        bool ours = File.Exists(Path.Combine(folder, marker));
        if (!overwrite)
            throw new OutputExistsException(ours
                ? $"{folder} already holds the output of an earlier {command}: pass --overwrite to replace it, or choose another folder"
                : $"{folder} is not empty: choose an empty or new folder ({command} does not write into a folder of other files)");
        if (!ours)
            throw new OutputExistsException($"{folder} is not empty and holds no earlier {command} output ({marker}): --overwrite only replaces {command}'s own output; choose an empty or new folder");
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Claims <paramref name="folder"/> for a resumable output (e.g. a latent cache): a missing or empty folder,
    /// or one holding an earlier output of the same command (its <paramref name="marker"/>), which the command continues.</summary>
    /// <exception cref="OutputExistsException">The folder holds other files (names it).</exception>
    public static void ClaimResumable(string folder, string marker, string command)
    {
        if (File.Exists(folder)) throw new OutputExistsException($"{folder}: is a file; {command} writes a folder there");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !File.Exists(Path.Combine(folder, marker)))
            throw new OutputExistsException($"{folder} is not empty and is not an output of {command} ({marker} missing): choose an empty or new folder");
    }
}
