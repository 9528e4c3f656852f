//! Embeds every `.som` file below `Smalltalk/` so the binary needs no classpath for the library.
use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("Smalltalk");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut entries: Vec<_> = fs::read_dir(&root)
        .expect("som-lib/Smalltalk must exist")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "som"))
        .collect();
    entries.sort();
    let mut out = String::from("/// (class name, source text) of every embedded library class.\npub static CLASSES: &[(&str, &str)] = &[\n");
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 file name");
        out.push_str(&format!(
            "    ({stem:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("classes.rs");
    fs::write(dest, out).expect("write classes.rs");
}
