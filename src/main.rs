//! The `apercu` binary: everything lives in the library; see `apercu --help`.

fn main() -> std::process::ExitCode {
    apercu::cli::main()
}
