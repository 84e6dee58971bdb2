using System.Runtime.InteropServices;

namespace LaMo.Distributed;

/// <summary>The handful of Open MPI entry points LaMo uses, bound at run time from <c>libmpi.so.40</c>.</summary>
/// <remarks>Open MPI's predefined handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, ...) are the addresses of
/// global objects in libmpi (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>, <c>ompi_mpi_uint16_t</c>, <c>ompi_mpi_op_sum</c>), so they are read
/// with <see cref="NativeLibrary.GetExport"/>; <c>MPI_IN_PLACE</c> is <c>(void*)1</c>. This ABI is Open MPI's, not MPICH's.
/// The library is dlopen'ed with <c>RTLD_GLOBAL</c>: Open MPI's plugins (<c>mca_*.so</c>) resolve libmpi's symbols
/// globally, and .NET's <see cref="NativeLibrary.Load(string)"/> uses <c>RTLD_LOCAL</c>.</remarks>
internal sealed unsafe class NativeMpi
{
    /// <summary>Default soname (Open MPI 3.x–5.x on Debian/Ubuntu/RHEL).</summary>
    public const string DefaultLibrary = "libmpi.so.40";

    /// <summary><c>MPI_THREAD_SERIALIZED</c>: any thread may call MPI, one at a time.</summary>
    public const int ThreadSerialized = 2;

    public static readonly IntPtr InPlace = 1;

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libdl.so.2", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int flags);

    [DllImport("libdl.so.2", EntryPoint = "dlerror")]
    private static extern IntPtr DlError();

    public readonly IntPtr CommWorld, Float, Double, Int64, UInt16, OpSum;

    public readonly delegate* unmanaged<int*, IntPtr*, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<IntPtr, int, int> Abort;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommRank;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommSize;
    public readonly delegate* unmanaged<IntPtr, int> Barrier;
    public readonly delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast;
    public readonly delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce;
    public readonly delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, int> Allgather;

    /// <summary><c>MPI_Op_create(MPI_User_function*, int commute, MPI_Op*)</c>; the user function is
    /// <c>void (void* in, void* inout, int* len, MPI_Datatype*)</c>.</summary>
    public readonly delegate* unmanaged<delegate* unmanaged[Cdecl]<void*, void*, int*, IntPtr*, void>, int, IntPtr*, int> OpCreate;
    public readonly delegate* unmanaged<IntPtr*, int> OpFree;

    private NativeMpi(IntPtr lib)
    {
        CommWorld = NativeLibrary.GetExport(lib, "ompi_mpi_comm_world");
        Float = NativeLibrary.GetExport(lib, "ompi_mpi_float");
        Double = NativeLibrary.GetExport(lib, "ompi_mpi_double");
        Int64 = NativeLibrary.GetExport(lib, "ompi_mpi_int64_t");
        UInt16 = NativeLibrary.GetExport(lib, "ompi_mpi_uint16_t");
        OpSum = NativeLibrary.GetExport(lib, "ompi_mpi_op_sum");
        InitThread = (delegate* unmanaged<int*, IntPtr*, int, int*, int>)NativeLibrary.GetExport(lib, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(lib, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(lib, "MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(lib, "MPI_Finalize");
        Abort = (delegate* unmanaged<IntPtr, int, int>)NativeLibrary.GetExport(lib, "MPI_Abort");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)NativeLibrary.GetExport(lib, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)NativeLibrary.GetExport(lib, "MPI_Comm_size");
        Barrier = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, "MPI_Barrier");
        Bcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)NativeLibrary.GetExport(lib, "MPI_Bcast");
        Allreduce = (delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int>)NativeLibrary.GetExport(lib, "MPI_Allreduce");
        Allgather = (delegate* unmanaged<void*, int, IntPtr, void*, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(lib, "MPI_Allgather");
        OpCreate = (delegate* unmanaged<delegate* unmanaged[Cdecl]<void*, void*, int*, IntPtr*, void>, int, IntPtr*, int>)NativeLibrary.GetExport(lib, "MPI_Op_create");
        OpFree = (delegate* unmanaged<IntPtr*, int>)NativeLibrary.GetExport(lib, "MPI_Op_free");
    }

    /// <summary>Loads <paramref name="library"/> (a soname or a path) globally and binds the entry points.</summary>
    /// <exception cref="DllNotFoundException">The library or one of its symbols is missing; the message says what to install.</exception>
    public static NativeMpi Load(string library)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("the MPI binding targets Open MPI on Linux");
        IntPtr lib = DlOpen(library, RtldNow | RtldGlobal);
        if (lib == IntPtr.Zero)
        {
            string why = Marshal.PtrToStringUTF8(DlError()) ?? "unknown dlopen error";
            throw new DllNotFoundException($"cannot load Open MPI's '{library}' ({why}); install Debian's openmpi-bin and " +
                "libopenmpi-dev, or set LAMO_MPI_LIBRARY to the path of libmpi.so.40");
        }
        try { return new NativeMpi(lib); }
        catch (EntryPointNotFoundException e)
        {
            throw new DllNotFoundException($"'{library}' is not Open MPI's libmpi (missing symbol: {e.Message}); " +
                "LaMo binds Open MPI's ABI (ompi_mpi_* handles), not MPICH's", e);
        }
    }

    /// <summary>Throws when an MPI call returned an error code (with the default MPI_ERRORS_ARE_FATAL handler
    /// Open MPI aborts the job before this can happen).</summary>
    public static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error code {code}");
    }
}
