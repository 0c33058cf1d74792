//! The answer check of ddns-scripts' service definitions: `grep -i -E ANSWER`
//! over the body. A small case-insensitive POSIX ERE subset of our own:
//! literals, `\x`, `.`, `[...]`/`[^...]` with ranges, `*` `+` `?`, `|`, `(...)`,
//! `^`, `$`; a match anywhere in the text (per line, as grep does).

#[derive(Debug)]
enum Node {
    Byte(u8),
    Any,
    /// Ranges (lowercase), negated.
    Class(Vec<(u8, u8)>, bool),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, usize),
}

/// A compiled pattern.
#[derive(Debug)]
pub struct Ere(Vec<Vec<Node>>);

impl Ere {
    pub fn new(pattern: &str) -> Result<Ere, String> {
        let mut parser = Parser {
            bytes: pattern.as_bytes(),
            at: 0,
        };
        let alts = parser.alternatives()?;
        if parser.at < parser.bytes.len() {
            return Err(format!("'{pattern}': unbalanced ')'"));
        }
        Ok(Ere(alts))
    }

    /// Whether some line of `text` holds a match.
    pub fn is_match(&self, text: &str) -> bool {
        text.split('\n').any(|line| {
            let line = line.as_bytes();
            (0..=line.len()).any(|start| {
                self.0
                    .iter()
                    .any(|alt| seq(alt, line, start, &mut |_| true))
            })
        })
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, String> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some(b'|') {
            self.at += 1;
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        while let Some(b) = self.peek() {
            let node = match b {
                b'|' | b')' => break,
                b'(' => {
                    self.at += 1;
                    let alts = self.alternatives()?;
                    if self.peek() != Some(b')') {
                        return Err("unbalanced '('".into());
                    }
                    Node::Group(alts)
                }
                b'[' => self.class()?,
                b'.' => Node::Any,
                b'^' => Node::Start,
                b'$' => Node::End,
                b'\\' => {
                    self.at += 1;
                    Node::Byte(self.peek().ok_or("trailing '\\'")?.to_ascii_lowercase())
                }
                b'*' | b'+' | b'?' => return Err(format!("'{}' repeats nothing", b as char)),
                _ => Node::Byte(b.to_ascii_lowercase()),
            };
            self.at += 1;
            let mut node = node;
            while let Some(op) = self.peek() {
                let (min, max) = match op {
                    b'*' => (0, usize::MAX),
                    b'+' => (1, usize::MAX),
                    b'?' => (0, 1),
                    _ => break,
                };
                self.at += 1;
                node = Node::Repeat(Box::new(node), min, max);
            }
            nodes.push(node);
        }
        Ok(nodes)
    }

    /// `[...]`, leaving `at` on its `]`.
    fn class(&mut self) -> Result<Node, String> {
        self.at += 1;
        let negated = self.peek() == Some(b'^');
        if negated {
            self.at += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let b = self.peek().ok_or("unbalanced '['")?;
            if b == b']' && !first {
                return Ok(Node::Class(ranges, negated));
            }
            first = false;
            let low = b.to_ascii_lowercase();
            let is_range = self.bytes.get(self.at + 1) == Some(&b'-')
                && self.bytes.get(self.at + 2).is_some_and(|&c| c != b']');
            if is_range {
                let high = self.bytes[self.at + 2].to_ascii_lowercase();
                ranges.push((low.min(high), low.max(high)));
                self.at += 3;
            } else {
                ranges.push((low, low));
                self.at += 1;
            }
        }
    }
}

fn single(node: &Node, b: u8) -> bool {
    let b = b.to_ascii_lowercase();
    match node {
        Node::Byte(c) => *c == b,
        Node::Any => true,
        Node::Class(ranges, negated) => {
            // Ranges of letters hold both cases: compare lowercase and uppercase.
            let hit = |x: u8| ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi);
            (hit(b) || hit(b.to_ascii_uppercase())) != *negated
        }
        _ => false,
    }
}

/// Whether `nodes` match at `pos` with `rest` accepting where they end.
fn seq(nodes: &[Node], text: &[u8], pos: usize, rest: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((node, tail)) = nodes.split_first() else {
        return rest(pos);
    };
    match node {
        Node::Start => pos == 0 && seq(tail, text, pos, rest),
        Node::End => pos == text.len() && seq(tail, text, pos, rest),
        Node::Group(alts) => alts
            .iter()
            .any(|alt| seq(alt, text, pos, &mut |p| seq(tail, text, p, rest))),
        Node::Repeat(inner, min, max) => repeat(inner, *min, *max, 0, tail, text, pos, rest),
        _ => pos < text.len() && single(node, text[pos]) && seq(tail, text, pos + 1, rest),
    }
}

/// Greedy repetition, then what follows; an empty round ends the repetition.
#[allow(clippy::too_many_arguments)]
fn repeat(
    inner: &Node,
    min: usize,
    max: usize,
    count: usize,
    tail: &[Node],
    text: &[u8],
    pos: usize,
    rest: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if count < max {
        let more = seq(std::slice::from_ref(inner), text, pos, &mut |p| {
            p != pos && repeat(inner, min, max, count + 1, tail, text, p, rest)
        });
        if more {
            return true;
        }
    }
    count >= min && seq(tail, text, pos, rest)
}

#[cfg(test)]
mod tests {
    use super::Ere;

    fn m(pattern: &str, text: &str) -> bool {
        Ere::new(pattern).expect(pattern).is_match(text)
    }

    #[test]
    fn the_answers_of_ddns_scripts_definitions() {
        assert!(m("good|nochg", "nochg 192.0.2.1"));
        assert!(m("good|nochg", "GOOD 192.0.2.1"));
        assert!(!m("good|nochg", "badauth"));
        assert!(m("Updated|No change", "no change"));
        assert!(m("success|100|101", "code 101"));
        assert!(!m("success|100|101", "code 102"));
        assert!(m("", "anything"));
    }

    #[test]
    fn operators() {
        assert!(m("^ok$", "OK"));
        assert!(!m("^ok$", "not ok"));
        assert!(m("^ok$", "first\nok"));
        assert!(m("a.c", "xabcx"));
        assert!(m("ab*c", "ac") && m("ab*c", "abbbc") && !m("ab+c", "ac"));
        assert!(m("colou?r", "color") && m("colou?r", "colour"));
        assert!(m("(good|nochg) [0-9.]+$", "nochg 10.0.0.1"));
        assert!(!m("(good|nochg) [0-9.]+$", "nochg x"));
        assert!(m("[^a-z]", "abc1") && !m("^[^a-z]+$", "ABC"));
        assert!(m("[A-Z]", "q"));
        assert!(m("a\\.b", "a.b") && !m("a\\.b", "axb"));
        assert!(m("(a|ab)(c|bcd)(d*)$", "abcd"));
        assert!(m("(x*)*y", "xxy"));
        assert!(m("[]a]", "]"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        for bad in ["(ab", "ab)", "[ab", "*a", "a\\"] {
            assert!(Ere::new(bad).is_err(), "{bad}");
        }
    }
}
