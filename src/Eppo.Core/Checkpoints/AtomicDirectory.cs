using System.Runtime.InteropServices;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// The one way a directory is written so that a crash leaves the old one or the new one, never a mix: the caller
/// fills a temporary sibling ("{dir}.tmp-{guid}"); every file and directory in it is fsynced; it is renamed into place
/// (an existing directory is moved aside first and deleted after); the parent is fsynced so the rename is on disk too.
/// If filling fails, the temporary directory is removed and the old directory is untouched.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>Replaces (or creates) <paramref name="dir"/> with what <paramref name="fill"/> writes into the directory it is given.</summary>
    public static void Write(string dir, Action<string> fill)
    {
        var (target, parent, temp) = Prepare(dir);
        try
        {
            fill(temp);
            Commit(temp, target, parent, replace: true);
        }
        finally
        {
            Discard(temp);
        }
    }

    /// <summary><see cref="Write"/> with an asynchronous fill (downloads).</summary>
    public static async Task WriteAsync(string dir, Func<string, Task> fill)
    {
        var (target, parent, temp) = Prepare(dir);
        try
        {
            await fill(temp);
            Commit(temp, target, parent, replace: true);
        }
        finally
        {
            Discard(temp);
        }
    }

    /// <summary>
    /// Creates <paramref name="dir"/> unless it exists when the filled directory is ready: then the existing one
    /// stays (another writer finished the same content first) and this returns false.
    /// </summary>
    public static bool Create(string dir, Action<string> fill)
    {
        var (target, parent, temp) = Prepare(dir);
        try
        {
            fill(temp);
            return Commit(temp, target, parent, replace: false);
        }
        finally
        {
            Discard(temp);
        }
    }

    /// <summary><see cref="Create"/> with an asynchronous fill (downloads).</summary>
    public static async Task<bool> CreateAsync(string dir, Func<string, Task> fill)
    {
        var (target, parent, temp) = Prepare(dir);
        try
        {
            await fill(temp);
            return Commit(temp, target, parent, replace: false);
        }
        finally
        {
            Discard(temp);
        }
    }

    static (string Target, string Parent, string Temp) Prepare(string dir)
    {
        var target = Path.GetFullPath(dir);
        var parent = Path.GetDirectoryName(target) ?? throw new EppoException($"directory '{dir}' has no parent to write it in");
        Directory.CreateDirectory(parent);
        var temp = $"{target}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        return (target, parent, temp);
    }

    static bool Commit(string temp, string target, string parent, bool replace)
    {
        SyncTree(temp);
        string? old = null;
        if (Directory.Exists(target))
        {
            if (!replace) return false;
            old = $"{target}.old-{Guid.NewGuid():N}";
            Directory.Move(target, old);
        }
        try
        {
            Directory.Move(temp, target);
        }
        catch (IOException) when (!replace && Directory.Exists(target))
        {
            return false;  // someone else's copy went in between the check and the move
        }
        catch when (old is not null)
        {
            Directory.Move(old, target);  // put the old one back: never leave no directory at all
            throw;
        }
        SyncDirectory(parent);
        if (old is not null) Directory.Delete(old, recursive: true);
        return true;
    }

    static void Discard(string temp)
    {
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
    }

    /// <summary>fsync of every file, then every directory, bottom-up: the data is on disk before the rename publishes it.</summary>
    static void SyncTree(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
        foreach (var sub in Directory.EnumerateDirectories(dir)) SyncTree(sub);
        SyncDirectory(dir);
    }

    // A rename is durable only once the directory entry is on disk; .NET has no API for fsync on a directory.
    static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var fd = Posix.open(path, 0 /* O_RDONLY */);
        if (fd < 0) return; // best effort: the data files themselves were flushed
        Posix.fsync(fd);
        Posix.close(fd);
    }

    static class Posix
    {
        [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern int fsync(int fd);
        [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    }
}
