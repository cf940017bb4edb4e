//! Writing results: every line goes through one writer, so that a reader that
//! goes away (`| head -0`) ends the command quietly instead of panicking, and
//! every failure maps to one exit status here.

use std::io::{self, Write};
use std::process::ExitCode;

use critfumble_dice::DiceError;
use serde::Serialize;

/// Exit status for a bad expression or message (the input's fault).
pub(crate) const BAD_INPUT: u8 = 2;

/// Why an expression gave no result.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The expression is bad: reported, and the next one is read (exit 2).
    Dice(DiceError),
    /// The command cannot go on: a file or the output could not be written (exit 1).
    Fatal(String),
}

impl From<DiceError> for Failure {
    fn from(error: DiceError) -> Self {
        Failure::Dice(error)
    }
}

/// What a write to standard output came to.
pub(crate) enum Written {
    /// The line is out.
    Done,
    /// The reader is gone: stop, successfully, with nothing more to say.
    ReaderGone,
    /// Writing failed for another reason, already reported on stderr (exit 1).
    Failed,
}

/// Writes `line` and a newline to standard output.
pub(crate) fn print_line(line: &str) -> Written {
    let mut stdout = io::stdout().lock();
    written(writeln!(stdout, "{line}").and_then(|()| stdout.flush()))
}

/// Sorts the result of a write into [`Written`], reporting real failures.
pub(crate) fn written(result: io::Result<()>) -> Written {
    match result {
        Ok(()) => Written::Done,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Written::ReaderGone,
        Err(error) => {
            report_fatal(&format!("cannot write to standard output: {error}"));
            Written::Failed
        }
    }
}

/// Prints `message` as an error on stderr. A closed stderr is ignored: there
/// is nowhere else to say it.
pub(crate) fn report_fatal(message: &str) {
    let _ = writeln!(io::stderr().lock(), "error: {message}");
}

/// The exit status of a command that stopped at `written`.
pub(crate) fn exit_for(written: &Written) -> Option<ExitCode> {
    match written {
        Written::Done => None,
        Written::ReaderGone => Some(ExitCode::SUCCESS),
        Written::Failed => Some(ExitCode::FAILURE),
    }
}

/// `value` as one line of JSON, or a [`Failure::Fatal`] that says what could not be written.
pub(crate) fn json_line(value: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string(value)
        .map_err(|error| Failure::Fatal(format!("cannot write the result as json: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value whose serialization always fails, as a map with a non-string key does.
    struct Unwritable;

    impl Serialize for Unwritable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("this value cannot be written"))
        }
    }

    #[test]
    fn a_serialization_failure_is_a_fatal_error_that_says_so() {
        match json_line(&Unwritable) {
            Err(Failure::Fatal(message)) => assert_eq!(
                message,
                "cannot write the result as json: this value cannot be written"
            ),
            other => panic!("expected a fatal failure, got {other:?}"),
        }
        // A map with a non-string key is a real value serde_json refuses.
        let map = std::collections::BTreeMap::from([((1, 2), 3)]);
        assert!(matches!(json_line(&map), Err(Failure::Fatal(_))));
        assert_eq!(json_line(&[1, 2]).ok().as_deref(), Some("[1,2]"));
    }

    #[test]
    fn a_closed_pipe_stops_quietly_and_other_errors_fail() {
        let gone = written(Err(io::Error::from(io::ErrorKind::BrokenPipe)));
        assert_eq!(exit_for(&gone), Some(ExitCode::SUCCESS));
        let failed = written(Err(io::Error::other("disk full")));
        assert_eq!(exit_for(&failed), Some(ExitCode::FAILURE));
        assert_eq!(exit_for(&written(Ok(()))), None);
    }
}
