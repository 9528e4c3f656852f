//! The interactive session (`yerba` without a program): exact transcripts through piped stdin
//! (stdout and stderr merged in the order written, no prompts), and line editing through a
//! pseudo-terminal.

mod common;

use common::{fresh_temp_dir, repo_root, yerba, DEFAULT_TIMEOUT};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a session printed (stdout and stderr as one stream) and its exit status.
struct Transcript {
    output: String,
    code: Option<i32>,
}

/// Runs `yerba args` in `dir` with `input` on stdin.
fn session_in(dir: &Path, args: &[&str], input: &str) -> Transcript {
    let (mut reader, writer) = std::io::pipe().expect("pipe");
    let mut child = Command::new(yerba())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(writer.try_clone().expect("clone the pipe"))
        .stderr(writer)
        .env("RUST_BACKTRACE", "0")
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", yerba()));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_string();
    let feeder = std::thread::spawn(move || {
        // The session may end (exit:) before reading everything.
        let _ = stdin.write_all(input.as_bytes());
    });
    let collector = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let start = Instant::now();
    let code = loop {
        match child.try_wait().expect("wait for the VM") {
            Some(status) => break status.code(),
            None if start.elapsed() > DEFAULT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let _ = feeder.join();
    let output = collector.join().expect("collect the output");
    Transcript { output, code }
}

fn session(input: &str) -> Transcript {
    session_in(&repo_root(), &[], input)
}

/// Asserts that the session printed exactly `expected` and ended with `code`.
fn assert_transcript(input: &str, expected: &str, code: i32) {
    let transcript = session(input);
    assert_eq!(
        transcript.output, expected,
        "input:\n{input}\noutput:\n{}",
        transcript.output
    );
    assert_eq!(transcript.code, Some(code), "input:\n{input}");
}

#[test]
fn expressions_show_their_results_and_variables_persist() {
    assert_transcript(
        "3 + 4\n\
         x := 3.\n\
         x + 1\n\
         x := x * 2\n\
         x\n\
         [ :a | x := x + a ] value: 10\n\
         x\n\
         'it\\'s'\n\
         #at:put:\n\
         #(1 #two 'three' #(4 5))\n\
         nil\n\
         3 + 4.\n\
         | t | t := 5. t + x\n\
         \n\
         1 > 2\n",
        "7\n4\n6\n16\n16\n'it\\'s'\n#at:put:\n#(1 #two 'three' #(4 5))\n21\nfalse\n",
        0,
    );
}

#[test]
fn blocks_of_one_input_see_variables_of_later_ones() {
    assert_transcript(
        "count := 0.\n\
         bump := [ count := count + 1 ].\n\
         later := 5.\n\
         bump value. bump value.\n\
         count + later\n",
        "7\n",
        0,
    );
}

#[test]
fn a_name_never_assigned_is_an_unknown_global() {
    assert_transcript(
        "| t | t := 1.\nt\n'still here'\n",
        "\nERROR: Tried loading 't' as a class, but failed.\n'still here'\n",
        0,
    );
}

#[test]
fn open_brackets_strings_and_comments_continue_the_input() {
    assert_transcript(
        "#(1 2\n3) length\n\
         [ :a |\n  a * 2 ] value: 21\n\
         'two\nlines' length\n\
         \"a comment\nover lines\" 5\n\
         Pair2 = (\n  | a b |\n  a: x b: y = ( a := x. b := y )\n  sum = ( ^ a + b )\n)\n\
         (Pair2 new a: 3 b: 4) sum\n",
        "3\n42\n9\n5\nPair2\n7\n",
        0,
    );
}

#[test]
fn errors_are_shown_and_the_session_goes_on() {
    assert_transcript(
        "1/0\n\
         nil foo\n\
         self error: 'boom'\n\
         3 +\n\
         Broken = ( m = ( ^ y := 1 ) )\n\
         Orphan = Missing ( )\n\
         system exit: 300\n\
         'after'\n",
        "Traceback (most recent call at bottom):\n\
         \x20 <repl>, line 1, column 2: ReplSession>>#doIt\n\
         \x20   1/0\n\
         Division by zero.\n\
         \n\
         ERROR: Method foo not found in class Nil\n\
         \n\
         ERROR: boom\n\
         Parse error in <repl>, line 1, column 4: unexpected end of input, expected an expression\n\
         \x20 3 +\n\
         \x20    ^\n\
         Compile error in <repl>, line 1, column 20: No such field 'y' in class Broken: cannot assign to an undeclared variable.\n\
         \x20 Broken = ( m = ( ^ y := 1 ) )\n\
         \x20                    ^\n\
         yerba: cannot load class Orphan: its superclass Missing was not found\n\
         Traceback (most recent call at bottom):\n\
         \x20 <repl>, line 1, column 8: ReplSession>>#doIt\n\
         \x20   system exit: 300\n\
         system exit: expects a status between 0 and 255.\n\
         'after'\n",
        0,
    );
}

#[test]
fn stack_exhaustion_is_an_error_like_any_other() {
    let transcript = session("Deep = ( f = ( ^ self f ) )\nDeep new f\n1 + 1\nDeep new f\n2 + 2\n");
    let output = &transcript.output;
    assert_eq!(transcript.code, Some(0), "{output}");
    assert_eq!(output.matches("Stack overflow").count(), 2, "{output}");
    assert!(output.starts_with("Deep\nTraceback"), "{output}");
    assert!(output.ends_with("recursed too deeply.\n4\n"), "{output}");
    assert!(
        output.contains("recursed too deeply.\n2\nTraceback"),
        "{output}"
    );
}

#[test]
fn a_class_redefined_with_its_shape_changes_in_place() {
    assert_transcript(
        "Cell = ( | v | v = ( ^ v ) v: x = ( v := x ) )\n\
         c := Cell new. c v: 3.\n\
         Cell = ( | v | v = ( ^ v * 10 ) )\n\
         c v\n\
         (c respondsTo: #v:)\n\
         Cell methods\n\
         Cell compile: 'w = ( ^ v + 1 )'.\n\
         c w\n\
         Cell methods\n",
        "Cell\nCell\n30\nfalse\n#(Cell>>v)\n4\n#(Cell>>v Cell>>w)\n",
        0,
    );
}

#[test]
fn a_class_redefined_with_other_fields_is_a_new_class() {
    assert_transcript(
        "Cell = ( | v | v = ( ^ v ) set = ( v := 1 ) )\n\
         old := Cell new. old set.\n\
         Cell = ( | v w | v = ( ^ v + 100 ) set = ( v := 2 ) )\n\
         old v\n\
         Cell new set v\n\
         old class == Cell\n\
         Integer = ( | extra | )\n",
        "Cell\nCell\n1\n102\nfalse\n\
         The core class Integer can only be redefined with the same superclass and fields.\n",
        0,
    );
}

#[test]
fn metaobjects_defined_at_the_prompt_take_effect_live() {
    assert_transcript(
        "Cell = ( | v | v = ( ^ v ) v: x = ( v := x ) )\n\
         c := Cell new. c v: 3.\n\
         Scaled = OperationalSemanticsMO ( subject: o read: i = ( ^ (o instVarAt: i) * 2 ) )\n\
         c installEnvironment: (EnvironmentMO operationalSemantics: Scaled new message: nil layout: nil).\n\
         c v\n\
         Scaled = OperationalSemanticsMO ( subject: o read: i = ( ^ (o instVarAt: i) * 10 ) )\n\
         c v\n\
         Scaled compile: 'subject: o read: i = ( ^ (o instVarAt: i) + 1 )'.\n\
         c v\n\
         (Cell new v: 3) v\n",
        "Cell\nScaled\n6\nScaled\n30\n4\n3\n",
        0,
    );
}

#[test]
fn exit_ends_the_session_with_its_status() {
    assert_transcript("1 + 1\nsystem exit: 3\n'never'\n", "2\n", 3);
    assert_transcript(
        "Quitter = ( quit = ( system exit: 5 ) )\nQuitter new quit\n'never'\n",
        "Quitter\n",
        5,
    );
    assert_transcript("'end of input' length\n", "12\n", 0);
    assert_transcript("#(1 2\n", "Parse error in <repl>, line 1, column 6: unexpected end of input, expected a literal array element or ')'\n  #(1 2\n       ^\n", 0);
}

#[test]
fn the_classpath_is_honoured() {
    let dir = fresh_temp_dir("repl-classpath");
    std::fs::write(
        dir.join("Greeter.som"),
        "Greeter = ( greet: name = ( ^ 'hello ' + name ) )\n",
    )
    .expect("write Greeter.som");
    let cp = dir.to_str().expect("utf-8 path");
    for args in [&["-cp", cp][..], &["--repl", "--classpath", cp]] {
        let transcript = session_in(&repo_root(), args, "Greeter new greet: 'you'\n");
        assert_eq!(transcript.output, "'hello you'\n", "{args:?}");
        assert_eq!(transcript.code, Some(0));
    }
    let _ = std::fs::remove_dir_all(dir);
}

// ---- through a pseudo-terminal ------------------------------------------------------------

/// A session on a pseudo-terminal: what is typed goes to the master side, the session's
/// output is read back from it.
struct Terminal {
    master: std::fs::File,
    child: std::process::Child,
    output: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Terminal {
    fn start(home: &Path) -> Terminal {
        let mut master_fd: libc::c_int = -1;
        let mut slave_fd: libc::c_int = -1;
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes the two descriptors it opens into the given integers; the
        // name buffer may be null and the terminal settings default when null.
        let opened = unsafe {
            libc::openpty(
                &mut master_fd,
                &mut slave_fd,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(opened, 0, "openpty");
        // SAFETY: openpty succeeded, so both descriptors are open and owned by nobody else.
        let (master, slave) = unsafe {
            use std::os::fd::FromRawFd;
            (
                std::fs::File::from_raw_fd(master_fd),
                std::os::fd::OwnedFd::from_raw_fd(slave_fd),
            )
        };
        let child = Command::new(yerba())
            .current_dir(repo_root())
            .env("HOME", home)
            .env("TERM", "xterm")
            .stdin(slave.try_clone().expect("clone the terminal"))
            .stdout(slave.try_clone().expect("clone the terminal"))
            .stderr(slave)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", yerba()));
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut reader = master.try_clone().expect("clone the master");
        let mut answerer = master.try_clone().expect("clone the master");
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let chunk = &buffer[..n];
                // rustyline asks where the cursor is before a prompt: at the left edge.
                if chunk.windows(4).any(|w| w == b"\x1b[6n") {
                    let _ = answerer.write_all(b"\x1b[1;1R");
                }
                sink.lock().expect("output").extend_from_slice(chunk);
            }
        });
        Terminal {
            master,
            child,
            output,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("output")).into_owned()
    }

    /// Waits until the output contains `expected` `count` times.
    fn wait_for(&self, expected: &str, count: usize) {
        let start = Instant::now();
        while self.text().matches(expected).count() < count {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "waited for {expected:?} x{count}; the terminal shows:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_keys(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).expect("type");
        self.master.flush().expect("type");
    }
}

/// What rustyline prints when it starts reading a line (bracketed paste on): from then on it
/// reads keys in raw mode. Keys typed before would be dropped with the cooked input.
const READING: &str = "\x1b[?2004h";

#[test]
fn a_terminal_gets_prompts_line_editing_history_and_continuation_lines() {
    let home = fresh_temp_dir("repl-home");
    let mut terminal = Terminal::start(&home);
    terminal.wait_for(READING, 1);
    // Edited: typed "3 * 4", then the cursor goes to the start (Ctrl-A) to insert "10 + ".
    terminal.type_keys("3 * 4\x0110 + \r");
    terminal.wait_for("\r\n52\r\n", 1);
    terminal.wait_for(READING, 2);
    // An open parenthesis continues the input on a continuation prompt.
    terminal.type_keys("#(1 2\r");
    terminal.wait_for("  ...> ", 1);
    terminal.wait_for(READING, 3);
    terminal.type_keys("3) length\r");
    terminal.wait_for("\r\n3\r\n", 1);
    terminal.wait_for(READING, 4);
    // Ctrl-C drops the line being typed; up-arrow recalls the last input, both of its lines.
    terminal.type_keys("nil foo\x03");
    terminal.wait_for(READING, 5);
    terminal.type_keys("\x1b[A");
    terminal.wait_for("3) length", 2);
    terminal.type_keys("\r");
    terminal.wait_for("\r\n3\r\n", 2);
    terminal.wait_for(READING, 6);
    // Ctrl-D ends the session with 0.
    terminal.type_keys("\x04");
    let status = terminal.child.wait().expect("wait for the session");
    let text = terminal.text();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("yerba> "), "{text}");
    assert!(!text.contains("ERROR"), "{text}");
    let history = std::fs::read_to_string(home.join(".yerba_history")).unwrap_or_default();
    assert!(history.contains("10 + 3 * 4"), "history: {history}");
    assert!(!history.contains("nil foo"), "history: {history}");
    let _ = std::fs::remove_dir_all(home);
}
