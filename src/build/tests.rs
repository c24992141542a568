//! The incremental rebuild against a clean build, in process (no watcher):
//! after every edit of a sequence, the output folder of the workspace must
//! equal, file for file and byte for byte, what `hoshin build` makes of the
//! same site; and incremental linking must equal `link::link`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ChangeSet, Workspace};
use crate::build::{self, BuildOptions};
use crate::link;

struct Site {
    _dir: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
    clean: PathBuf,
    ws: Workspace,
}

fn doc(year: &str, department: &str, title: &str, body: &str) -> String {
    format!("---\nyear: {year}\ndepartment: {department}\nauthor: 部長\ntitle: {title}\n---\n\n前文です。\n\n{body}")
}

const SOMU_2023: &str = "## 1. 施政方針を踏まえて\n\n(1) 基本方針\n\n① 市民に寄り添うこと。\n\n② 会議は短く。\n\n(2) 事務の適正化\n\n① 法令を確認すること。[[総務部/2024#1.(1)]]\n\n## 2. 人材育成\n\n① 研修に参加すること。\n";
const SOMU_2024: &str = "## 1. 方針\n\n(1) 継続\n\n① 前年度の [[2023/somu#1.(1)②]] を続ける。\n\n② [[2023/somu]] を参照。\n\n③ [[市民部/R6]] と協力する。\n";
/// First in key order, in a department with other years, citing nothing and cited by nothing.
const SOMU_2022: &str = "1. 項目\n\n(1) 小項目\n\n① 細目\n";
const SHIMIN_2024: &str =
    "1. 窓口\n\n(1) 待ち時間を減らす。[[総務部/2023#2.①|研修]]\n\n(2) 案内を増やす。\n";

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content/2023")).unwrap();
        std::fs::create_dir_all(root.join("content/2024")).unwrap();
        std::fs::write(
            root.join("site.toml"),
            "title = \"テスト市\"\n[departments]\n\"総務部\" = \"somu\"\n\"市民部\" = \"shimin\"\n",
        )
        .unwrap();
        let out = dir.path().join("out");
        let clean = dir.path().join("clean");
        let ws = Workspace::new(BuildOptions {
            root: root.clone(),
            output: Some(out.clone()),
            drafts: false,
            force: false,
        });
        let mut site = Site {
            _dir: dir,
            root,
            out,
            clean,
            ws,
        };
        site.put(
            "2023/somu.md",
            &doc("2023", "総務部", "総務部の方針 2023", SOMU_2023),
        );
        site.put(
            "2024/somu.md",
            &doc("令和6年度", "総務部", "総務部の方針 2024", SOMU_2024),
        );
        site.put(
            "2024/shimin.md",
            &doc("2024", "市民部", "市民部の方針", SHIMIN_2024),
        );
        site.put(
            "2022/somu.md",
            &doc("2022", "総務部", "総務部の方針 2022", SOMU_2022),
        );
        site.put("2023/attachment.pdf", "%PDF-1.4 one");
        let report = site.ws.rebuild(&ChangeSet::everything());
        assert!(report.result.is_ok(), "{}", errors(&report));
        site.assert_matches_clean_build("first build");
        site
    }

    fn content(&self, rel: &str) -> PathBuf {
        self.root.join("content").join(rel)
    }

    fn put(&self, rel: &str, text: &str) {
        let path = self.content(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.content(rel)).unwrap()
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.put(rel, &text.replacen(from, to, 1));
    }

    /// Rebuilds after changes to `paths` (relative to content/) and expects success.
    fn rebuild(&mut self, paths: &[&str], what: &str) -> super::Built {
        let changes = ChangeSet {
            content: paths.iter().map(|p| p.to_string()).collect(),
            ..ChangeSet::default()
        };
        self.rebuild_with(&changes, what)
    }

    fn rebuild_with(&mut self, changes: &ChangeSet, what: &str) -> super::Built {
        let report = self.ws.rebuild(changes);
        match report.result {
            Ok(built) => {
                self.assert_matches_clean_build(what);
                built
            }
            Err(_) => panic!("{what}: rebuild failed:\n{}", errors(&report)),
        }
    }

    /// Rebuilds with the indexes deferred, and expects every page (every
    /// file but the indexes, which wait for the settle) to be a clean build's.
    fn rebuild_deferred(&mut self, changes: &ChangeSet, what: &str) -> super::Built {
        let report = self.ws.rebuild(changes);
        let built = match report.result {
            Ok(built) => built,
            Err(_) => panic!("{what}: rebuild failed:\n{}", errors(&report)),
        };
        self.assert_matches_clean_build_but_indexes(what);
        built
    }

    /// Builds the site afresh into `self.clean`, to compare with.
    fn clean_build(&self, what: &str) {
        let opts = BuildOptions {
            root: self.root.clone(),
            output: Some(self.clean.clone()),
            drafts: false,
            force: false,
        };
        if let Err(f) = build::build(&opts, true) {
            panic!("{what}: clean build failed:\n{}", f.diagnostics.render());
        }
    }

    fn assert_matches_clean_build_but_indexes(&self, what: &str) {
        self.clean_build(what);
        let pages = |dir: &Path| -> BTreeMap<String, Option<Vec<u8>>> {
            tree(dir)
                .into_iter()
                .filter(|(p, _)| !crate::layout::is_index_file(p) && p != "search")
                .collect()
        };
        let (watched, clean) = (pages(&self.out), pages(&self.clean));
        assert_eq!(
            watched.keys().collect::<Vec<_>>(),
            clean.keys().collect::<Vec<_>>(),
            "{what}: the same files"
        );
        for (path, bytes) in &watched {
            assert!(
                bytes == &clean[path],
                "{what}: {path} differs from a clean build"
            );
        }
    }

    fn assert_matches_clean_build(&self, what: &str) {
        self.clean_build(what);
        assert_same_tree(&self.out, &self.clean, what);
    }
}

fn errors(report: &super::Report) -> String {
    match &report.result {
        Ok(_) => String::new(),
        Err(d) => d.render(),
    }
}

/// Every file (by its bytes) and folder (as `None`) under `dir`.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

fn assert_same_tree(watched: &Path, clean: &Path, what: &str) {
    let (a, b) = (tree(watched), tree(clean));
    let only_watched: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_clean: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_watched.is_empty() && only_clean.is_empty(),
        "{what}: files only in the watched output: {only_watched:?}; only in the clean build: {only_clean:?}"
    );
    for (path, bytes) in &a {
        if bytes != &b[path] {
            let show = |b: &Option<Vec<u8>>| match b {
                Some(b) => String::from_utf8_lossy(b).into_owned(),
                None => "(a folder)".into(),
            };
            panic!(
                "{what}: {path} differs from a clean build\n--- watched ---\n{}\n--- clean ---\n{}",
                show(bytes),
                show(&b[path])
            );
        }
    }
}

#[test]
fn a_sequence_of_edits_gives_a_clean_build() {
    let mut s = Site::new();

    let built = s.rebuild(&["2023/somu.md"], "unchanged save");
    assert_eq!(
        (built.rendered, built.written),
        (0, 0),
        "nothing to render or write"
    );

    s.edit(
        "2023/somu.md",
        "市民に寄り添うこと。",
        "市民に寄り添い、現場に出ること。",
    );
    let built = s.rebuild(&["2023/somu.md"], "one directive's text");
    assert!(built.rendered < built.pages, "only some pages are rendered");

    // A reference moved from one document to another: backlinks leave the
    // first and appear on the second (documents and lookups unchanged).
    s.edit(
        "2024/shimin.md",
        "[[総務部/2023#2.①|研修]]",
        "[[総務部/2024#1.(1)①]]",
    );
    s.rebuild(&["2024/shimin.md"], "a reference retargeted");
    s.edit(
        "2024/shimin.md",
        "[[総務部/2024#1.(1)①]]",
        "[[総務部/2023#2.①|研修]]",
    );
    s.rebuild(&["2024/shimin.md"], "and back");

    s.edit("2024/somu.md", "総務部の方針 2024", "総務部の運営方針 2024");
    s.rebuild(&["2024/somu.md"], "title of a cited document");
    let mate = std::fs::read_to_string(s.out.join("2022/somu.html")).unwrap();
    assert!(
        mate.contains("総務部の運営方針 2024"),
        "other years of the department"
    );

    s.edit("2024/shimin.md", "市民部の方針", "市民部の運営方針");
    s.rebuild(&["2024/shimin.md"], "title of a document cited as a whole");

    // The home page shows the first deep directive's label as an example.
    s.edit("2022/somu.md", "① 細目", "ア 細目");
    s.rebuild(
        &["2022/somu.md"],
        "citation of the example on the home page",
    );

    // A directive inserted before others renumbers them: citations, ids,
    // labels of references into them and their backlinks all move.
    s.edit(
        "2023/somu.md",
        "① 市民に寄り添い",
        "① 新しい項目。\n\n② 市民に寄り添い",
    );
    s.edit("2023/somu.md", "② 会議は短く。", "③ 会議は短く。");
    s.rebuild(&["2023/somu.md"], "renumbered directives");

    s.put(
        "2024/kikaku.md",
        &doc(
            "2024",
            "企画部",
            "企画部の方針",
            "1. 連携\n\n(1) [[2024/shimin#1.(2)]] と連携する。\n",
        ),
    );
    s.rebuild(&["2024/kikaku.md"], "a new document citing another");
    let cited = std::fs::read_to_string(s.out.join("2024/shimin.html")).unwrap();
    assert!(
        cited.contains("2024/kikaku.html"),
        "the backlink appears on the cited page"
    );

    // Saved by writing a temporary file and renaming it over the original.
    let tmp = s.content("2024/.kikaku.md.tmp");
    std::fs::write(
        &tmp,
        s.read("2024/kikaku.md").replace("連携する", "密に連携する"),
    )
    .unwrap();
    std::fs::rename(&tmp, s.content("2024/kikaku.md")).unwrap();
    s.rebuild(&["2024/.kikaku.md.tmp", "2024/kikaku.md"], "rename-save");

    s.edit("2024/kikaku.md", "year: 2024", "year: 2023");
    s.rebuild(
        &["2024/kikaku.md"],
        "year changed: lookups and listings move",
    );

    s.edit("2024/shimin.md", "department: 市民部", "department: 総務部");
    let report = s.ws.rebuild(&ChangeSet {
        content: ["2024/shimin.md".to_string()].into(),
        ..ChangeSet::default()
    });
    assert!(report.result.is_err(), "総務部/2024 is now ambiguous");
    s.edit("2024/shimin.md", "department: 総務部", "department: 市民部");
    s.rebuild(&["2024/shimin.md"], "department changed back");

    std::fs::remove_file(s.content("2024/kikaku.md")).unwrap();
    s.rebuild(&["2024/kikaku.md"], "a deleted document");
    let cited = std::fs::read_to_string(s.out.join("2024/shimin.html")).unwrap();
    assert!(!cited.contains("kikaku"), "the backlink is gone");
    assert!(!s.out.join("2024/kikaku.html").exists(), "its page is gone");

    s.put("2023/attachment.pdf", "%PDF-1.4 two");
    s.put("2024/map.png", "png");
    s.rebuild(&["2023/attachment.pdf", "2024/map.png"], "attachments");
    std::fs::remove_file(s.content("2024/map.png")).unwrap();
    s.rebuild(&["2024/map.png"], "attachment deleted");

    s.edit(
        "2022/somu.md",
        "author: 部長",
        "author: 部長\nstatus: draft",
    );
    s.rebuild(&["2022/somu.md"], "a document became a draft");
    assert!(
        !s.out.join("2022/somu.html").exists(),
        "a draft has no page"
    );
    s.edit("2022/somu.md", "\nstatus: draft", "");
    s.rebuild(&["2022/somu.md"], "and back");

    // A folder renamed: every document in it moves.
    std::fs::rename(s.content("2024"), s.content("r6")).unwrap();
    s.rebuild(&["2024", "r6"], "folder renamed");

    let base = s.root.join("themes/default/templates/base.html");
    std::fs::create_dir_all(base.parent().unwrap()).unwrap();
    let builtin = include_str!("../../themes/default/templates/base.html");
    std::fs::write(
        &base,
        builtin.replace("<main", "<p class=\"banner\">TEST</p><main"),
    )
    .unwrap();
    let built = s.rebuild_with(
        &ChangeSet {
            theme: true,
            ..ChangeSet::default()
        },
        "template override",
    );
    assert_eq!(
        built.rendered, built.pages,
        "a template change renders every page"
    );
    assert!(std::fs::read_to_string(s.out.join("index.html"))
        .unwrap()
        .contains("banner"));

    std::fs::write(
        s.root.join("site.toml"),
        "title = \"別の市\"\n[departments]\n\"総務部\" = \"general\"\n",
    )
    .unwrap();
    s.rebuild_with(&ChangeSet::everything(), "site.toml");
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_and_its_fix_rebuilds() {
    let mut s = Site::new();
    let before = tree(&s.out);
    s.edit("2023/somu.md", "year: 2023", "year: 明日");
    let report = s.ws.rebuild(&ChangeSet {
        content: ["2023/somu.md".to_string()].into(),
        ..ChangeSet::default()
    });
    let diagnostics = report.result.err().expect("a broken front matter fails");
    assert!(
        diagnostics.render().contains("content/2023/somu.md:"),
        "{}",
        diagnostics.render()
    );
    assert!(
        tree(&s.out) == before,
        "nothing is written while there are errors"
    );

    // Another edit while broken is taken into account when the fix comes.
    s.edit("2024/shimin.md", "案内を増やす", "案内板を増やす");
    let report = s.ws.rebuild(&ChangeSet {
        content: ["2024/shimin.md".to_string()].into(),
        ..ChangeSet::default()
    });
    assert!(report.result.is_err(), "still broken");
    s.edit("2023/somu.md", "year: 明日", "year: 2023");
    s.rebuild(&["2023/somu.md"], "fixed");
}

#[test]
fn deleting_a_cited_document_is_an_error_until_the_reference_goes() {
    let mut s = Site::new();
    std::fs::remove_file(s.content("2023/somu.md")).unwrap();
    let report = s.ws.rebuild(&ChangeSet {
        content: ["2023/somu.md".to_string()].into(),
        ..ChangeSet::default()
    });
    let text = errors(&report);
    assert!(text.contains("unresolved reference"), "{text}");
    // The citing documents did not change: their errors point at the line
    // and show it, from the lines each kept of its source.
    let line = "前年度の [[2023/somu#1.(1)②]] を続ける。";
    let at = std::fs::read_to_string(s.content("2024/somu.md"))
        .unwrap()
        .lines()
        .position(|l| l.contains(line))
        .unwrap();
    assert!(
        text.contains(&format!("content/2024/somu.md:{}:", at + 1)) && text.contains(line),
        "{text}"
    );
    assert!(
        s.out.join("2023/somu.html").exists(),
        "the last good site stays"
    );
    s.edit(
        "2024/somu.md",
        "前年度の [[2023/somu#1.(1)②]] を続ける。",
        "前年度を続ける。",
    );
    s.edit("2024/somu.md", "② [[2023/somu]] を参照。", "② 参照なし。");
    s.edit("2024/shimin.md", "[[総務部/2023#2.①|研修]]", "研修");
    s.rebuild(&["2024/somu.md", "2024/shimin.md"], "references removed");
    assert!(!s.out.join("2023/somu.html").exists());
}

#[test]
fn relinking_equals_linking() {
    let s = Site::new();
    let opts = BuildOptions {
        root: s.root.clone(),
        output: None,
        drafts: false,
        force: false,
    };
    let config = build::load_config(&opts.root).unwrap();
    let mut timings = build::Timings::default();
    let (site, _) = build::compile(&opts.root, config, false, &mut timings);
    let (full, _) = link::link(&site.docs, &site.config);
    // Nothing changed, everything changed, one document changed: each must
    // give link's result.
    let all: Vec<usize> = (0..site.docs.len()).collect();
    for changed in [vec![], all, vec![1]] {
        let pending = crate::link::relink::Pending {
            structure: false,
            changed,
        };
        let mut again = full.clone();
        crate::link::relink::relink(&site.docs, &site.config, &mut again, true, &pending);
        assert_eq!(again.targets, full.targets);
        assert_eq!(again.directive_backlinks, full.directive_backlinks);
        assert_eq!(again.document_backlinks, full.document_backlinks);
        assert_eq!(again.resolved, full.resolved);
    }
}

#[test]
fn crossing_the_directive_index_split_renders_the_listings_again() {
    let mut s = Site::new();
    let count: usize = s.ws_directive_count();
    let needed = crate::render::DIRECTIVE_INDEX_SPLIT - count;
    let items: String = (1..=needed).map(|n| format!("{n}. 項目{n}\n")).collect();
    s.put("2023/many.md", &doc("2023", "企画部", "多い", &items));
    s.rebuild(&["2023/many.md"], "exactly at the split");
    s.edit("2023/many.md", "1. 項目1\n", "1. 項目1\n(1) もう一つ\n");
    s.rebuild(&["2023/many.md"], "one more directive: split");
    s.edit("2023/many.md", "(1) もう一つ\n", "");
    s.rebuild(&["2023/many.md"], "one fewer: not split");
}

impl Site {
    fn ws_directive_count(&self) -> usize {
        let opts = BuildOptions {
            root: self.root.clone(),
            output: None,
            drafts: false,
            force: false,
        };
        let config = build::load_config(&opts.root).unwrap();
        let (site, _) = build::compile(&opts.root, config, false, &mut build::Timings::default());
        site.docs.iter().map(|d| d.directives.len()).sum()
    }
}

#[test]
fn a_reference_to_a_missing_directive_resolves_once_it_is_written() {
    let mut s = Site::new();
    s.edit(
        "2024/shimin.md",
        "(2) 案内を増やす。",
        "(2) 案内を増やす。[[総務部/2023#3.①]]",
    );
    let report = s.ws.rebuild(&ChangeSet {
        content: ["2024/shimin.md".to_string()].into(),
        ..ChangeSet::default()
    });
    assert!(
        errors(&report).contains("has no directive"),
        "{}",
        errors(&report)
    );
    let text = s.read("2023/somu.md") + "\n## 3. 新設\n\n① 新しい取組。\n";
    s.put("2023/somu.md", &text);
    s.rebuild(&["2023/somu.md"], "the cited directive written");
    let cited = std::fs::read_to_string(s.out.join("2023/somu.html")).unwrap();
    assert!(
        cited.contains("2024/shimin.html"),
        "and its backlink appears"
    );
}

#[test]
fn events_are_sorted_and_editor_temporaries_dropped() {
    let s = Site::new();
    let mut c = ChangeSet::default();
    for p in [
        "content/2023/somu.md",
        "content/2023/.somu.md.swp",
        "content/2023/somu.md~",
        "content/2023/4913",
        "content/.git/index",
        "content/2024",
        "themes/default/templates/.base.html.swp",
        "public/index.html",
    ] {
        s.ws.classify(&s.root.join(p), &mut c);
    }
    let content: Vec<&str> = c.content.iter().map(String::as_str).collect();
    assert_eq!(content, ["2023/somu.md", "2024"]);
    assert!(!c.theme && !c.everything);
    s.ws.classify(&s.root.join("themes/default/templates/base.html"), &mut c);
    assert!(c.theme);
    s.ws.classify(&s.root.join("site.toml"), &mut c);
    assert!(c.everything);
}

#[test]
fn deferred_indexes_catch_up_when_the_author_pauses() {
    let mut site = Site::new();
    site.ws.defer_indexes = true;
    let json_before = std::fs::read(site.out.join("directives.json")).unwrap();
    let empty_delta = std::fs::read(site.out.join("search/delta.js")).unwrap();
    site.edit("2023/somu.md", "会議は短く。", "会議は十五分以内とする。");
    let report = site.ws.rebuild(&ChangeSet {
        content: ["2023/somu.md".to_string()].into(),
        ..ChangeSet::default()
    });
    let built = report.result.expect("rebuild");
    assert!(built.indexes_deferred);
    assert!(site.ws.indexes_stale());
    let page = std::fs::read_to_string(site.out.join("2023/somu.html")).unwrap();
    assert!(
        page.contains("会議は十五分以内とする。"),
        "the page is written at once"
    );
    assert_eq!(
        std::fs::read(site.out.join("directives.json")).unwrap(),
        json_before,
        "directives.json waits for the pause"
    );
    let delta = std::fs::read_to_string(site.out.join("search/delta.js")).unwrap();
    assert_ne!(
        delta.as_bytes(),
        empty_delta,
        "search is kept current by the overlay"
    );
    assert!(
        delta.contains("十五分"),
        "the overlay holds the edited text: {delta}"
    );

    // A broken edit: nothing is settled from a site with errors.
    site.edit("2023/somu.md", "year: 2023", "year: 来年");
    assert!(site
        .ws
        .rebuild(&ChangeSet {
            content: ["2023/somu.md".to_string()].into(),
            ..ChangeSet::default()
        })
        .result
        .is_err());
    assert!(site.ws.settle(&mut || false).is_none());
    site.edit("2023/somu.md", "year: 来年", "year: 2023");
    site.ws
        .rebuild(&ChangeSet {
            content: ["2023/somu.md".to_string()].into(),
            ..ChangeSet::default()
        })
        .result
        .expect("fixed");

    let report = site.ws.settle(&mut || false).expect("indexes were stale");
    assert!(report.result.is_ok());
    assert!(!site.ws.indexes_stale());
    assert!(
        site.ws.settle(&mut || false).is_none(),
        "nothing left to settle"
    );
    site.assert_matches_clean_build("after the pause");
}

/// Whatever hoshin keeps beside the output while it writes (staging folders,
/// replaced trees) and inside it (temporary files of atomic writes).
fn leftovers(site: &Site) -> Vec<String> {
    let beside = std::fs::read_dir(site.out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hoshin-"));
    let inside = tree(&site.out)
        .into_keys()
        .filter(|p| p.ends_with(".hoshin-tmp"));
    beside.chain(inside).collect()
}

#[test]
fn a_change_while_the_indexes_are_written_ends_equal_to_a_clean_build() {
    let mut site = Site::new();
    site.ws.defer_indexes = true;
    let one = |path: &str| ChangeSet {
        content: [path.to_string()].into(),
        ..ChangeSet::default()
    };
    site.edit("2023/somu.md", "会議は短く。", "会議は十五分以内とする。");
    let built = site
        .ws
        .rebuild(&one("2023/somu.md"))
        .result
        .expect("rebuild");
    assert!(built.indexes_deferred);
    let json_before = std::fs::read(site.out.join("directives.json")).unwrap();

    // A change arrives while the indexes' inputs are taken from the site:
    // the settle gives way before anything is written, and is not running.
    let mut asked = 0;
    assert!(!site.ws.start_settle(&mut || {
        asked += 1;
        asked > 1
    }));
    assert!(asked > 1, "the settle asked whether to give way");
    assert!(!site.ws.settling());
    assert!(site.ws.indexes_stale());
    assert_eq!(
        std::fs::read(site.out.join("directives.json")).unwrap(),
        json_before,
        "a settle that gave way writes nothing"
    );

    // The settle thread starts, and is held before it builds anything, so
    // that the next save lands while it runs.
    let (release, hold) = std::sync::mpsc::channel();
    site.ws.hold_settle = Some(hold);
    assert!(site.ws.start_settle(&mut || false));
    assert!(site.ws.settling());
    site.edit("2024/shimin.md", "案内を増やす。", "案内を大きく増やす。");
    let built = site
        .ws
        .rebuild(&one("2024/shimin.md"))
        .result
        .expect("a rebuild while the indexes are written");
    assert!(built.indexes_deferred);
    assert!(built.pages_first.is_some(), "the saved page went first");
    let page = std::fs::read_to_string(site.out.join("2024/shimin.html")).unwrap();
    assert!(
        page.contains("案内を大きく増やす。"),
        "the page is written at once, without waiting for the indexes"
    );
    assert!(site.ws.settling(), "the indexes are still being written");

    // The thread writes the indexes of the site as it was when it started.
    release.send(()).unwrap();
    let report = site.ws.finish_settle(true).expect("a settle ran");
    assert!(report.result.is_ok(), "{}", errors(&report));
    assert!(!site.ws.settling());
    let json = std::fs::read_to_string(site.out.join("directives.json")).unwrap();
    assert!(
        json.contains("十五分"),
        "the first edit is in the new index"
    );
    assert!(
        !json.contains("大きく"),
        "the change since it started is not"
    );
    assert!(
        site.ws.indexes_stale(),
        "so the indexes are still stale, and settled after the next pause"
    );
    let delta = std::fs::read_to_string(site.out.join("search/delta.js")).unwrap();
    assert!(
        delta.contains("大きく"),
        "search overlays the change since on the new index: {delta}"
    );
    assert_eq!(leftovers(&site), Vec::<String>::new());

    let report = site.ws.settle(&mut || false).expect("still stale");
    assert!(report.result.is_ok(), "{}", errors(&report));
    assert!(!site.ws.indexes_stale());
    assert_eq!(leftovers(&site), Vec::<String>::new());
    site.assert_matches_clean_build("after a change while the indexes were written");
}

#[test]
fn year_over_year_edits_update_comparisons_badges_and_links_as_a_clean_build() {
    let mut s = Site::new();
    let page = |s: &Site, rel: &str| std::fs::read_to_string(s.out.join(rel)).unwrap_or_default();
    assert!(s.out.join("compare/2023/somu.html").is_file());
    assert!(s.out.join("compare/2024/somu.html").is_file());
    assert!(!s.out.join("compare/2022/somu.html").exists(), "first year");

    // An edit to the old year: the new year's comparison, badges and listing counts change.
    s.edit("2023/somu.md", "会議は短く。", "会議は三十分以内に。");
    let built = s.rebuild(&["2023/somu.md"], "old year edited");
    assert!(built.rendered < built.pages, "only some pages are rendered");
    assert!(
        page(&s, "compare/2023/somu.html").contains("三十分以内に"),
        "the old year is itself the new side of its own comparison"
    );

    // An edit to the new year: a directive inserted before others.
    s.edit(
        "2024/somu.md",
        "① 前年度の",
        "① 新しく始める取組。\n\n② 前年度の",
    );
    s.edit("2024/somu.md", "② [[2023/somu]]", "③ [[2023/somu]]");
    s.edit("2024/somu.md", "③ [[市民部/R6]]", "④ [[市民部/R6]]");
    s.rebuild(&["2024/somu.md"], "new year: a directive inserted");
    assert!(page(&s, "2024/somu.html").contains("yoy-badge yoy-new"));

    // A renamed department: previous: links 市民部 to last year's 総務部.
    s.edit(
        "2024/shimin.md",
        "author: 部長",
        "author: 部長\nprevious: 総務部/2023",
    );
    s.rebuild(&["2024/shimin.md"], "previous: added");
    assert!(s.out.join("compare/2024/shimin.html").is_file());

    // A previous: that names nothing keeps the last good site; the fix rebuilds.
    s.edit(
        "2024/shimin.md",
        "previous: 総務部/2023",
        "previous: 総務部/2030",
    );
    let report = s.ws.rebuild(&ChangeSet {
        content: ["2024/shimin.md".to_string()].into(),
        ..ChangeSet::default()
    });
    assert!(report.result.is_err(), "unknown previous:");
    s.edit("2024/shimin.md", "\nprevious: 総務部/2030", "");
    s.rebuild(&["2024/shimin.md"], "previous: removed");
    assert!(!s.out.join("compare/2024/shimin.html").exists());

    // A new year arrives: last year's directives link to their continuation.
    s.put(
        "2025/somu.md",
        &doc(
            "2025",
            "総務部",
            "総務部の方針 2025",
            "## 1. 方針\n\n(1) 継続\n\n① 新しく始める取組。\n",
        ),
    );
    s.rebuild(&["2025/somu.md"], "a successor added");
    let html = page(&s, "2024/somu.html");
    assert!(html.contains("次年度 1.(1)①"), "continuation");
    assert!(html.contains("次年度に削除"), "dropped");

    // The first year deleted: the next one loses its comparison and badges.
    std::fs::remove_file(s.content("2022/somu.md")).unwrap();
    s.rebuild(&["2022/somu.md"], "predecessor deleted");
    assert!(!s.out.join("compare/2023/somu.html").exists());
    assert!(!page(&s, "2023/somu.html").contains("yoy-badge"));
}

#[test]
fn a_rebuild_that_gives_way_leaves_the_rest_to_the_next_one() {
    let mut site = Site::new();
    site.ws.defer_indexes = true;
    let one = |path: &str| ChangeSet {
        content: [path.to_string()].into(),
        ..ChangeSet::default()
    };
    let page = |site: &Site, rel: &str| std::fs::read_to_string(site.out.join(rel)).unwrap();

    // 2.① is cited by 2024/shimin, whose page shows its text in a tooltip.
    site.edit(
        "2023/somu.md",
        "研修に参加すること。",
        "研修に毎年参加すること。",
    );
    let mut asked = 0;
    let report = site.ws.rebuild_unless(&one("2023/somu.md"), &mut || {
        asked += 1;
        true
    });
    let built = report.result.expect("rebuild");
    assert!(asked > 0, "the rest asked whether to give way");
    assert!(built.gave_way);
    assert!(site.ws.unfinished());
    assert!(built.pages_first.is_some(), "the saved page was written");
    assert!(page(&site, "2023/somu.html").contains("研修に毎年参加すること。"));
    assert!(
        !page(&site, "2024/shimin.html").contains("毎年"),
        "the citing page is left for the next rebuild"
    );
    assert!(
        !site.ws.start_settle(&mut || false),
        "the pages come before the indexes"
    );

    // The same bytes saved again: not the shortcut, the rest is done.
    let built = site.rebuild_deferred(&one("2023/somu.md"), "the same save after giving way");
    assert!(!built.gave_way && !site.ws.unfinished());
    assert!(page(&site, "2024/shimin.html").contains("毎年"));

    // Giving way, then the next save of another document.
    site.edit("2023/somu.md", "会議は短く。", "会議は十五分以内とする。");
    let report = site.ws.rebuild_unless(&one("2023/somu.md"), &mut || true);
    assert!(report.result.expect("rebuild").gave_way);
    site.edit("2024/shimin.md", "案内を増やす。", "案内を大きく増やす。");
    site.rebuild_deferred(&one("2024/shimin.md"), "the next save after giving way");

    // Giving way with a document added and one removed, then nothing
    // changed at all (the watch loop's own call for the rest).
    site.put(
        "2025/somu.md",
        &doc(
            "2025",
            "総務部",
            "総務部の方針 2025",
            "1. 項目\n\n(1) 新規\n",
        ),
    );
    std::fs::remove_file(site.content("2022/somu.md")).unwrap();
    let changes = ChangeSet {
        content: ["2025/somu.md".to_string(), "2022/somu.md".to_string()].into(),
        ..ChangeSet::default()
    };
    let report = site.ws.rebuild_unless(&changes, &mut || true);
    assert!(report.result.expect("rebuild").gave_way);
    assert!(site.out.join("2025/somu.html").is_file(), "the new page");
    let built = site.rebuild_deferred(&ChangeSet::default(), "the rest, with no change");
    assert!(!built.gave_way && built.removed > 0);
    let report = site.ws.settle(&mut || false).expect("indexes were stale");
    assert!(report.result.is_ok(), "{}", errors(&report));
    site.assert_matches_clean_build("after the settle");
}

#[test]
fn a_rebuild_that_writes_the_indexes_does_not_give_way() {
    let mut site = Site::new();
    site.edit("2023/somu.md", "会議は短く。", "会議は十五分以内とする。");
    let report = site.ws.rebuild_unless(
        &ChangeSet {
            content: ["2023/somu.md".to_string()].into(),
            ..ChangeSet::default()
        },
        &mut || true,
    );
    assert!(!report.result.expect("rebuild").gave_way);
    assert!(!site.ws.unfinished());
    site.assert_matches_clean_build("a plain rebuild asked to give way");
}
