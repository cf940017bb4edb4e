//! An incremental parser for `text/event-stream` that accepts bytes split anywhere.

/// One dispatched server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field, if any.
    pub(crate) event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub(crate) data: String,
}

/// Feeds bytes in, takes complete events out. Lines may end in LF, CRLF or CR,
/// and a chunk may end in the middle of a line, of a CRLF or of a UTF-8 character.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    line: Vec<u8>,
    after_cr: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// Parses `chunk`, appending every event it completes to `events`.
    pub(crate) fn push(&mut self, chunk: &[u8], events: &mut Vec<SseEvent>) -> Result<(), String> {
        for &byte in chunk {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line(&line, events)?;
                }
                _ => self.line.push(byte),
            }
        }
        Ok(())
    }

    fn line(&mut self, line: &[u8], events: &mut Vec<SseEvent>) -> Result<(), String> {
        if line.is_empty() {
            if self.has_data {
                let mut data = std::mem::take(&mut self.data);
                data.pop();
                events.push(SseEvent {
                    event: self.event.take(),
                    data,
                });
            }
            self.event = None;
            self.has_data = false;
            return Ok(());
        }
        let line = std::str::from_utf8(line)
            .map_err(|_| "the event stream is not valid UTF-8".to_owned())?;
        if line.starts_with(':') {
            return Ok(());
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_owned()),
            // `id` and `retry` matter only for reconnecting, which these APIs do not support.
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = "event: message_start\r\ndata: {\"a\":\"é\"}\r\n\r\n: comment\n\nevent: ping\ndata: {}\n\ndata: line one\ndata:line two\n\ndata: [DONE]\r\r";

    fn parse_in_pieces(bytes: &[u8], cut: &[usize]) -> Vec<SseEvent> {
        let mut parser = SseParser::default();
        let mut events = Vec::new();
        let mut start = 0;
        for &end in cut.iter().chain(std::iter::once(&bytes.len())) {
            parser
                .push(&bytes[start..end], &mut events)
                .expect("valid stream");
            start = end;
        }
        events
    }

    fn expected() -> Vec<SseEvent> {
        let event = |name: Option<&str>, data: &str| SseEvent {
            event: name.map(str::to_owned),
            data: data.to_owned(),
        };
        vec![
            event(Some("message_start"), "{\"a\":\"é\"}"),
            event(Some("ping"), "{}"),
            event(None, "line one\nline two"),
            event(None, "[DONE]"),
        ]
    }

    #[test]
    fn whole_stream() {
        assert_eq!(parse_in_pieces(STREAM.as_bytes(), &[]), expected());
    }

    #[test]
    fn every_single_split_point_gives_the_same_events() {
        let bytes = STREAM.as_bytes();
        for cut in 0..=bytes.len() {
            assert_eq!(parse_in_pieces(bytes, &[cut]), expected(), "cut at {cut}");
        }
    }

    #[test]
    fn byte_by_byte() {
        let bytes = STREAM.as_bytes();
        let cuts: Vec<usize> = (1..bytes.len()).collect();
        assert_eq!(parse_in_pieces(bytes, &cuts), expected());
    }

    #[test]
    fn an_unfinished_event_is_not_dispatched() {
        assert!(parse_in_pieces(b"data: {\"partial\":", &[]).is_empty());
        assert!(parse_in_pieces(b"data: complete line\n", &[]).is_empty());
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut parser = SseParser::default();
        let error = parser.push(b"data: \xff\n\n", &mut Vec::new());
        assert_eq!(error, Err("the event stream is not valid UTF-8".to_owned()));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_split_anywhere_parse_the_same(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            cut in 0usize..300,
        ) {
            let whole = {
                let mut events = Vec::new();
                SseParser::default().push(&bytes, &mut events).map(|()| events)
            };
            let cut = cut.min(bytes.len());
            let split = {
                let mut parser = SseParser::default();
                let mut events = Vec::new();
                parser
                    .push(&bytes[..cut], &mut events)
                    .and_then(|()| parser.push(&bytes[cut..], &mut events))
                    .map(|()| events)
            };
            // Invalid UTF-8 is an error either way; otherwise the events agree.
            proptest::prop_assert_eq!(whole.is_ok(), split.is_ok());
            if let (Ok(whole), Ok(split)) = (whole, split) {
                proptest::prop_assert_eq!(whole, split);
            }
        }
    }
}
