//! UCI configuration files as libuci reads them: `config TYPE ['NAME']`,
//! `option NAME VALUE`, `list NAME VALUE`, `package NAME`; values unquoted,
//! in 'single quotes' (taken as they are) or "double quotes" (where a
//! backslash escapes the next character), and pieces written side by side
//! make one value; `#` outside quotes starts a comment; a backslash at the end
//! of a line continues it on the next. No I/O beyond reading the text given.

/// One `config` section, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: String,
    /// `None` for an anonymous section (`config job` without a name).
    pub name: Option<String>,
    pub line: usize,
    pub options: Vec<Opt>,
}

/// An `option` (one value) or a `list` (its values in order), with the line
/// that last set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    pub name: String,
    pub values: Vec<String>,
    pub list: bool,
    pub line: usize,
}

impl Section {
    pub fn option(&self, name: &str) -> Option<&Opt> {
        self.options.iter().find(|o| o.name == name)
    }
}

/// A syntax error: the line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// The sections of `text` in file order. As libuci does, a section named again
/// gets the later options added to it, an option set again takes the new value,
/// and a `list` after an `option` of that name extends it.
pub fn parse(text: &str) -> Result<Vec<Section>, SyntaxError> {
    let mut sections: Vec<Section> = Vec::new();
    // Index of the section that `option` and `list` lines go to.
    let mut current: Option<usize> = None;
    for (line, words) in statements(text)? {
        let fail = |message: String| SyntaxError { line, message };
        let Some((keyword, args)) = words.split_first() else {
            continue;
        };
        match keyword.as_str() {
            "package" => check_args(args, 1, 1, "package NAME").map_err(fail)?,
            "config" => {
                check_args(args, 1, 2, "config TYPE ['NAME']").map_err(fail)?;
                check_name(&args[0], "section type").map_err(fail)?;
                let name = args.get(1).cloned();
                if let Some(name) = &name {
                    check_name(name, "section name").map_err(fail)?;
                }
                let existing = name.as_ref().and_then(|name| {
                    sections
                        .iter()
                        .position(|s| s.name.as_ref() == Some(name) && s.kind == args[0])
                });
                current = Some(existing.unwrap_or_else(|| {
                    sections.push(Section {
                        kind: args[0].clone(),
                        name,
                        line,
                        options: Vec::new(),
                    });
                    sections.len() - 1
                }));
            }
            "option" | "list" => {
                let list = keyword == "list";
                let usage = if list {
                    "list NAME 'VALUE'"
                } else {
                    "option NAME 'VALUE'"
                };
                check_args(args, 2, 2, usage).map_err(fail)?;
                check_name(&args[0], "option name").map_err(fail)?;
                let Some(section) = current.map(|i| &mut sections[i]) else {
                    return Err(fail(format!("'{keyword}' before any 'config' line")));
                };
                set_option(section, &args[0], args[1].clone(), list, line);
            }
            other => {
                return Err(fail(format!(
                    "'{other}': expected config, option, list or package"
                )))
            }
        }
    }
    Ok(sections)
}

fn set_option(section: &mut Section, name: &str, value: String, list: bool, line: usize) {
    match section.options.iter_mut().find(|o| o.name == name) {
        Some(opt) if list => {
            opt.values.push(value);
            opt.list = true;
            opt.line = line;
        }
        Some(opt) => {
            opt.values = vec![value];
            opt.list = false;
            opt.line = line;
        }
        None => section.options.push(Opt {
            name: name.to_string(),
            values: vec![value],
            list,
            line,
        }),
    }
}

fn check_args(args: &[String], min: usize, max: usize, usage: &str) -> Result<(), String> {
    if args.len() < min {
        return Err(format!("missing argument: expected {usage}"));
    }
    if args.len() > max {
        return Err(format!("too many arguments: expected {usage}"));
    }
    Ok(())
}

/// libuci allows letters, digits and `_` in names and types.
fn check_name(name: &str, what: &str) -> Result<(), String> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!(
            "invalid {what} '{name}': only letters, digits and _"
        ));
    }
    Ok(())
}

/// The statements of `text`: each with the line it starts on and its words.
/// A statement ends at a newline outside quotes or at `;`.
fn statements(text: &str) -> Result<Vec<(usize, Vec<String>)>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut statements = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word: Option<String> = None;
    let mut line = 1;
    let mut start = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\n' | ';' => {
                words.extend(word.take());
                if !words.is_empty() {
                    statements.push((start, std::mem::take(&mut words)));
                }
                if c == '\n' {
                    line += 1;
                }
                start = line;
            }
            ' ' | '\t' | '\r' => words.extend(word.take()),
            '#' => {
                // A comment, even right after a word: up to the end of the line.
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' | '"' => {
                // Quoted text may span lines; a newline in it is kept.
                let text = word.get_or_insert_with(String::new);
                loop {
                    let Some(&q) = chars.get(i) else {
                        return Err(SyntaxError {
                            line: start,
                            message: format!("unterminated {c} quote"),
                        });
                    };
                    i += 1;
                    match q {
                        _ if q == c => break,
                        '\\' if c == '"' => match chars.get(i) {
                            Some('\n') => {
                                line += 1;
                                i += 1;
                            }
                            Some(&next) => {
                                text.push(next);
                                i += 1;
                            }
                            None => {}
                        },
                        '\n' => {
                            line += 1;
                            text.push(q);
                        }
                        _ => text.push(q),
                    }
                }
            }
            '\\' => match chars.get(i) {
                // A backslash at the end of a line continues the statement.
                Some('\n') => {
                    line += 1;
                    i += 1;
                }
                Some(&next) => {
                    word.get_or_insert_with(String::new).push(next);
                    i += 1;
                }
                None => {}
            },
            other => word.get_or_insert_with(String::new).push(other),
        }
    }
    words.extend(word.take());
    if !words.is_empty() {
        statements.push((start, words));
    }
    Ok(statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(section: &Section, name: &str) -> Vec<String> {
        section
            .option(name)
            .map(|o| o.values.clone())
            .unwrap_or_default()
    }

    #[test]
    fn sections_options_and_lists_with_their_lines() {
        let text = "package dynup\n\nconfig job 'home'\n\toption provider noip\n\
                    \tlist hostname a.example\n\tlist hostname \"b.example\"\n\
                    config global\n\toption interval 5\n";
        let sections = parse(text).unwrap();
        assert_eq!(sections.len(), 2);
        let home = &sections[0];
        assert_eq!(
            (home.kind.as_str(), home.name.as_deref(), home.line),
            ("job", Some("home"), 3)
        );
        assert_eq!(values(home, "provider"), ["noip"]);
        assert_eq!(home.option("provider").unwrap().line, 4);
        assert_eq!(values(home, "hostname"), ["a.example", "b.example"]);
        assert!(home.option("hostname").unwrap().list);
        assert_eq!(home.option("hostname").unwrap().line, 6);
        assert_eq!(sections[1].name, None);
    }

    #[test]
    fn quoting_escapes_and_comments_as_libuci_reads_them() {
        let text = "config job j # a comment\n\
                    option a 'single \\n \"kept\" # not a comment'\n\
                    option b \"double \\\"q\\\" \\\\ 'x'\"\n\
                    option c un'quoted'\" parts\"\n\
                    option d esc\\ aped\n\
                    option e ''\n\
                    # option f ignored\n\
                    \toption g \"long \\\nvalue\"\n\
                    option h next\\\nline\r\n\
                    option i 'two\nlines' ; option j k#comment\n";
        let sections = parse(text).unwrap();
        let j = &sections[0];
        assert_eq!(values(j, "a"), ["single \\n \"kept\" # not a comment"]);
        assert_eq!(values(j, "b"), ["double \"q\" \\ 'x'"]);
        assert_eq!(values(j, "c"), ["unquoted parts"]);
        assert_eq!(values(j, "d"), ["esc aped"]);
        assert_eq!(values(j, "e"), [""]);
        assert!(j.option("f").is_none());
        assert_eq!(values(j, "g"), ["long value"]);
        assert_eq!(values(j, "h"), ["nextline"]);
        assert_eq!(values(j, "i"), ["two\nlines"]);
        assert_eq!(values(j, "j"), ["k"]);
        assert_eq!(j.option("j").unwrap().line, 13);
    }

    #[test]
    fn a_section_named_again_is_extended_and_options_set_again_replace() {
        let text = "config job a\noption x 1\nlist l 1\nconfig job b\nconfig job a\n\
                    option x 2\nlist l 2\noption y 3\nlist y 4\n";
        let sections = parse(text).unwrap();
        assert_eq!(sections.len(), 2);
        assert_eq!(values(&sections[0], "x"), ["2"]);
        assert_eq!(sections[0].option("x").unwrap().line, 6);
        assert_eq!(values(&sections[0], "l"), ["1", "2"]);
        assert_eq!(values(&sections[0], "y"), ["3", "4"]);
    }

    #[test]
    fn errors_name_the_line() {
        for (text, line, needle) in [
            ("config job a\noption x 'open\n", 2, "unterminated '"),
            ("config job a\n\noption x \"open\n", 3, "unterminated \""),
            ("option x 1\n", 1, "before any 'config'"),
            ("config job a\noption x 1 2\n", 2, "too many arguments"),
            ("config job a\noption x\n", 2, "missing argument"),
            ("config job a-b\n", 1, "invalid section name"),
            ("config job a\noption x-y 1\n", 2, "invalid option name"),
            ("config job a\nfrobnicate\n", 2, "'frobnicate'"),
            ("config\n", 1, "missing argument"),
        ] {
            let err = parse(text).expect_err(text);
            assert_eq!(err.line, line, "{text}");
            assert!(err.message.contains(needle), "{text}: {}", err.message);
        }
    }
}
