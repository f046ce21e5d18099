// Makes TorchSharp's native bridge loadable on hosts whose libstdc++ predates GCC 13 (Debian 12).
//
// libLibTorchSharp.so (TorchSharp 0.107) records a version need on GLIBCXX_3.4.32. The only symbol bound to that
// version is _ZSt21ios_base_library_initv, which GCC 13's <iostream> references but never calls. Marking that one
// need VER_FLG_WEAK lets glibc load the library against an older libstdc++. Nothing else changes: one 16-bit field.
//
// This file is compiled twice: as an MSBuild inline task (Directory.Build.targets) and into the tests.
#nullable enable
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Eppo.NativeFix;

public sealed class WeakenGlibcxxNeed : Microsoft.Build.Utilities.Task
{
    [Required] public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        foreach (var path in System.IO.Directory.GetFiles(Directory, GlibcxxNeedWeakener.LibraryName, SearchOption.AllDirectories))
        {
            try
            {
                var outcome = GlibcxxNeedWeakener.Apply(path);
                Log.LogMessage(MessageImportance.Low, $"{path}: {outcome}");
            }
            catch (InvalidDataException e)
            {
                Log.LogError($"{path}: cannot weaken the GLIBCXX_3.4.32 need: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }
}

public static class GlibcxxNeedWeakener
{
    public const string LibraryName = "libLibTorchSharp.so";
    public const string VersionName = "GLIBCXX_3.4.32";
    public const string OnlySymbolAllowed = "_ZSt21ios_base_library_initv";
    const ushort VerFlagWeak = 0x2;
    const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

    static readonly string[] HostLibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    /// <summary>True when the host's libstdc++ defines the version, so the library loads as shipped.</summary>
    public static bool HostHasVersion()
    {
        foreach (var candidate in HostLibstdcxxCandidates)
            if (File.Exists(candidate))
                return IndexOf(File.ReadAllBytes(candidate), Encoding.ASCII.GetBytes(VersionName + "\0")) >= 0;
        return true; // no glibc libstdc++ found (not Linux): nothing to fix
    }

    /// <summary>Patches the file when needed; returns what was done. Writes a new file, never the (hard-linked) original inode.</summary>
    public static string Apply(string path)
    {
        if (HostHasVersion()) return "host libstdc++ has " + VersionName + "; left as shipped";
        var bytes = File.ReadAllBytes(path);
        var need = FindNeed(bytes);
        if (need is null) return "no " + VersionName + " need; left as is";
        var (flagsOffset, flags) = need.Value;
        if ((flags & VerFlagWeak) != 0) return "already weak";
        WriteU16(bytes, flagsOffset, (ushort)(flags | VerFlagWeak));
        var temp = path + ".weakening";
        File.WriteAllBytes(temp, bytes);
        File.Delete(path); // unlink first: the output may be a hard link into the NuGet cache
        File.Move(temp, path);
        return "marked weak";
    }

    /// <summary>The file offset and value of vna_flags for the GLIBCXX_3.4.32 need, or null if there is none.</summary>
    public static (int FlagsOffset, ushort Flags)? FindNeed(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file");
        var shoff = (int)ReadU64(elf, 0x28);
        int shentsize = ReadU16(elf, 0x3A), shnum = ReadU16(elf, 0x3C);

        Section? verneed = null, versym = null, dynsym = null;
        for (var i = 0; i < shnum; i++)
        {
            var s = Section.Read(elf, shoff + i * shentsize);
            if (s.Type == ShtGnuVerneed) verneed = s;
            else if (s.Type == ShtGnuVersym) versym = s;
            else if (s.Type == ShtDynsym) dynsym = s;
        }
        if (verneed is null) return null;
        var verneedStrings = Section.Read(elf, shoff + (int)verneed.Link * shentsize);

        int? flagsOffset = null;
        ushort versionIndex = 0;
        var entry = (int)verneed.Offset;
        for (var n = 0; n < verneed.Info; n++)
        {
            int auxCount = ReadU16(elf, entry + 2);
            var aux = entry + (int)ReadU32(elf, entry + 8);
            for (var a = 0; a < auxCount; a++)
            {
                var name = CString(elf, (int)verneedStrings.Offset + (int)ReadU32(elf, aux + 8));
                if (name == VersionName)
                {
                    flagsOffset = aux + 4;
                    versionIndex = (ushort)(ReadU16(elf, aux + 6) & 0x7fff);
                }
                aux += (int)ReadU32(elf, aux + 12);
            }
            entry += (int)ReadU32(elf, entry + 12);
        }
        if (flagsOffset is null) return null;

        // Refuse unless exactly the one known, never-called symbol depends on that version.
        if (versym is null || dynsym is null) throw new InvalidDataException("no symbol version table");
        var symbolStrings = Section.Read(elf, shoff + (int)dynsym.Link * shentsize);
        var symbolCount = (int)(versym.Size / 2);
        for (var i = 0; i < symbolCount; i++)
        {
            if ((ReadU16(elf, (int)versym.Offset + 2 * i) & 0x7fff) != versionIndex) continue;
            var symbol = CString(elf, (int)symbolStrings.Offset + (int)ReadU32(elf, (int)dynsym.Offset + 24 * i));
            if (symbol != OnlySymbolAllowed)
                throw new InvalidDataException($"symbol {symbol} is bound to {VersionName}; weakening would be unsafe");
        }
        return (flagsOffset.Value, ReadU16(elf, flagsOffset.Value));
    }

    // Plain class, not a record: MSBuild compiles this file against netstandard, which lacks init-only setters.
    sealed class Section
    {
        public uint Type, Link, Info;
        public ulong Offset, Size;

        public static Section Read(byte[] elf, int at) => new Section
        {
            Type = ReadU32(elf, at + 4), Offset = ReadU64(elf, at + 24), Size = ReadU64(elf, at + 32),
            Link = ReadU32(elf, at + 40), Info = ReadU32(elf, at + 44),
        };
    }

    static ushort ReadU16(byte[] b, int at) => BitConverter.ToUInt16(b, at);
    static uint ReadU32(byte[] b, int at) => BitConverter.ToUInt32(b, at);
    static ulong ReadU64(byte[] b, int at) => BitConverter.ToUInt64(b, at);
    static void WriteU16(byte[] b, int at, ushort value) { b[at] = (byte)value; b[at + 1] = (byte)(value >> 8); }

    static string CString(byte[] b, int at)
    {
        var end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, at, end - at);
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
