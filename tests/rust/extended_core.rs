//! A classpath library whose `Object`, `Class` and `Metaclass` add fields, the usual way to
//! extend them. The fields work for plain instances, class objects and metaclass objects; for
//! objects the VM represents with storage of its own (arrays, strings, symbols, blocks,
//! methods, numbers, nil) using one is an error, never a crash.
//!
//! The library is the embedded one with the fields and their accessors added, written to a
//! temporary directory.

mod common;

use common::{fresh_temp_dir, repo_root, run_vm, RunOutcome, DEFAULT_TIMEOUT};
use std::path::{Path, PathBuf};

/// Each extended class: the line its definition opens with, and the field it adds.
const EXTENSIONS: [(&str, &str, &str); 3] = [
    ("Object", "Object = nil (", "objectExtra"),
    ("Class", "Class = (", "classExtra"),
    ("Metaclass", "Metaclass = Class (", "metaExtra"),
];

/// A root class (no superclass): its class object is still an instance of a subclass of
/// `Class`, with `Class`'s fields before its class-side ones.
const ROOT: &str = "Root = nil (
    ----
    | rootSide |
    rootSide = ( ^ rootSide )
    rootSide: v = ( rootSide := v )
)
";

/// A directory holding the extended core classes, `Root` and `program` as `Main.som`.
fn classpath_with(program: &str) -> PathBuf {
    let dir = fresh_temp_dir("extended-core");
    for (class, opening, field) in EXTENSIONS {
        let embedded = repo_root().join(format!("som-lib/Smalltalk/{class}.som"));
        let source = std::fs::read_to_string(&embedded)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", embedded.display()));
        let addition = format!(
            "{opening}\n    | {field} |\n    {field} = ( ^ {field} )\n    {field}: v = ( {field} := v )\n"
        );
        assert!(
            source.contains(opening),
            "{class}.som does not open as expected"
        );
        let extended = source.replacen(opening, &addition, 1);
        std::fs::write(dir.join(format!("{class}.som")), extended).expect("write a core class");
    }
    std::fs::write(dir.join("Root.som"), ROOT).expect("write the root class");
    std::fs::write(dir.join("Main.som"), program).expect("write the program");
    dir
}

fn run_with_extended_core(program: &str, options: &[&str]) -> RunOutcome {
    let dir = classpath_with(program);
    let mut args: Vec<&str> = options.to_vec();
    args.extend(["-cp", ".", "Main.som"]);
    let outcome = run_vm(&args, Path::new(&dir), DEFAULT_TIMEOUT);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(outcome.crash().is_none(), "{}", outcome.describe());
    assert!(!outcome.timed_out, "{}", outcome.describe());
    outcome
}

const PROGRAM: &str = "Main = (
    | own |
    run = (
        | o |
        o := Object new. o objectExtra: 1. o objectExtra println.
        o := Main new. o objectExtra: 2. o objectExtra println.
        system objectExtra: 3. system objectExtra println.
        Object classExtra: 4. Main classExtra: 5.
        Object classExtra println. Main classExtra println.
        Main objectExtra: 6. Main objectExtra println.
        Main class classExtra: 7. Main class metaExtra: 8. Main class objectExtra: 9.
        Main class classExtra println. Main class metaExtra println.
        Main class objectExtra println.
        Main classSide println. Main classSide: 10. Main classSide println.
        Main classExtra println.
        Root rootSide: 11. Root classExtra: 12. Root rootSide println. Root classExtra println.
        Main fields do: [ :f | f print. ' ' print ]. '' println.
        Main class fields do: [ :f | f print. ' ' print ]. '' println.
        Metaclass fields do: [ :f | f print. ' ' print ]. '' println
    )
    ----
    | classSide |
    classSide = ( ^ classSide )
    classSide: v = ( classSide := v )
)
";

const EXPECTED: &str = "1\n2\n3\n4\n5\n6\n7\n8\n9\nnil\n10\n5\n11\n12\n\
#objectExtra #own \n#objectExtra #classExtra #classSide \n\
#objectExtra #classExtra #metaExtra \n";

#[test]
fn fields_added_to_object_class_and_metaclass_work_for_instances_and_classes() {
    for options in [&[][..], &["--gc-stress"][..]] {
        let outcome = run_with_extended_core(PROGRAM, options);
        assert_eq!(outcome.code, Some(0), "{}", outcome.describe());
        assert_eq!(outcome.stdout, EXPECTED, "{}", outcome.describe());
    }
}

#[test]
fn objects_with_storage_of_their_own_refuse_the_added_fields() {
    let receivers = [
        ("#(1 2)", "Array"),
        ("'text'", "String"),
        ("#symbol", "Symbol"),
        ("[ 1 ]", "Block1"),
        ("42", "Integer"),
        ("100000000000000000000000", "Integer"),
        ("1.5", "Double"),
        ("nil", "Nil"),
        ("true", "True"),
        ("(Main methods at: 1)", "Method"),
        ("(Class methods at: 3)", "Primitive"),
    ];
    for (receiver, class) in receivers {
        for access in ["objectExtra", "objectExtra: 5"] {
            let program =
                format!("Main = ( run = ( {receiver} {access}. 'not reached' println ) )\n");
            let outcome = run_with_extended_core(&program, &[]);
            assert_eq!(outcome.code, Some(1), "{receiver}: {}", outcome.describe());
            let message = format!("Field 1 does not exist in instances of {class}.");
            assert!(
                outcome.stderr.contains(&message),
                "{receiver}: {}",
                outcome.describe()
            );
            assert!(
                !outcome.stdout.contains("not reached"),
                "{}",
                outcome.describe()
            );
        }
    }
}
