//! `shenpi completions SHELL` and `shenpi man`: the shell completions and the
//! manual pages, both generated from the same clap definitions as the
//! command line itself, so they cannot drift from it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::Cli;
use crate::common::Failure;

/// Arguments of `shenpi completions`.
#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    shell: ShellArg,
}

/// The shells `shenpi completions` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ShellArg {
    /// Bash: `source <(shenpi completions bash)`, or save under bash-completion's `completions/shenpi`
    Bash,
    /// Zsh: save as `_shenpi` in a directory of `$fpath`
    Zsh,
    /// Fish: save as `~/.config/fish/completions/shenpi.fish`
    Fish,
    /// PowerShell: `shenpi completions powershell | Out-String | Invoke-Expression`, e.g. in `$PROFILE`
    Powershell,
}

impl ShellArg {
    fn shell(self) -> Shell {
        match self {
            ShellArg::Bash => Shell::Bash,
            ShellArg::Zsh => Shell::Zsh,
            ShellArg::Fish => Shell::Fish,
            ShellArg::Powershell => Shell::PowerShell,
        }
    }
}

/// Arguments of `shenpi man`.
#[derive(clap::Args)]
pub struct ManArgs {
    /// Write a page for `shenpi` and one for each subcommand (`shenpi-plan.1`,
    /// `shenpi-calendar-add-days.1`, …) into this directory, instead of the
    /// page of `shenpi` on standard output
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Writes the completion script for a shell on standard output.
pub fn completions(args: CompletionsArgs) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell.shell(), &mut cmd, "shenpi", &mut out);
    io::stdout().lock().write_all(&out)?;
    Ok(())
}

/// Writes the manual page of `shenpi` on standard output, or every page into `--dir`.
pub fn man(args: ManArgs) -> Result<(), Failure> {
    match args.dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            io::stdout().lock().write_all(&out)?;
        }
        Some(dir) => {
            for name in write_pages(&dir)? {
                writeln!(io::stdout(), "{}", dir.join(name).display())?;
            }
        }
    }
    Ok(())
}

/// Writes one page per command into `dir`, created when missing, as
/// `clap_mangen::generate_to` names them; returns the file names written,
/// `shenpi.1` first.
fn write_pages(dir: &Path) -> io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut names = Vec::new();
    write_page(cmd, dir, &mut names)?;
    Ok(names)
}

/// Writes the page of `cmd`, then those of its subcommands.
fn write_page(cmd: clap::Command, dir: &Path, names: &mut Vec<String>) -> io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut text = Vec::new();
    man.render(&mut text)?;
    let file = man.get_filename();
    crate::output::write_file(&dir.join(&file), &text)?;
    names.push(file);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_page(sub.clone(), dir, names)?;
    }
    Ok(())
}
