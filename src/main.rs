//! The `pipedeck` binary: parses the command line and hands over to `cli`.

fn main() -> std::process::ExitCode {
    pipedeck::storage::configure_process();
    pipedeck::cli::main()
}
