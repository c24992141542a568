//! Prints the directives hoshin finds in a Markdown file (a debugging aid).
use hoshin::{config::Config, load, parse};
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE.md");
    let source = load::read_file(std::path::Path::new(&path), &path).expect("readable");
    let file = load::LoadedFile {
        key: "x/doc".into(),
        source,
    };
    match parse::parse_document(file, &Config::default()) {
        Ok((doc, warnings)) => {
            for w in warnings {
                eprintln!("{w}");
            }
            println!("title: {}", doc.title);
            let texts = doc.texts.all();
            for (i, d) in doc.directives.iter().enumerate() {
                println!(
                    "{:<16} {:<12} {}",
                    d.id(),
                    d.citation(),
                    parse::shorten(d.heading(texts.get(i)), 30)
                );
            }
            println!(
                "{} directives; refs {}",
                doc.directives.len(),
                doc.references.len()
            );
            if std::env::var("HTML").is_ok() {
                println!("{:#?}", doc.body);
            }
        }
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
        }
    }
}
