//! The `apercu` binary: everything lives in the library; see `apercu --help`.

/// glibc's allocator keeps the memory of freed photo and card buffers in heaps that fragment
/// (a process with a 16 MiB cache reached 270 MiB); jemalloc, told by `.cargo/config.toml` to
/// give freed pages back at once, stays bounded however the binary is run. The library's own
/// tests keep the system allocator.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    apercu::cli::main()
}
