//! Synthetic corpus generator for hoshin's performance benchmarks.
//!
//! ```text
//! cargo run --release --example gen_corpus -- OUT N [--seed S]
//! ```
//!
//! Writes a complete hoshin site into `OUT`: `OUT/site.toml` (title and a
//! `[departments]` table mapping every department to an ASCII slug) and
//! `OUT/content/<year>/<slug>.md`, one policy (運営方針) per department and
//! fiscal year. N documents are laid out as ceil(N/20) departments × 20 fiscal
//! years (2007–2026), so 5,000 documents = 250 departments × 20 years.
//!
//! The documents imitate the two seed policies (SPEC.md, `seeds/`): about 20 KB
//! of Japanese Markdown and ~60 directives each, full front matter with every
//! year/date form of SPEC §2, two numbering styles (1./(1)/① and the 公用文
//! 第１／１／（１）／ア／（ア）), full- and half-width markers, inconsistent
//! heading levels, consecutive marker lines, hard-wrapped sentences, tables, and
//! references in every SPEC §4 form. Every reference resolves: the structure of
//! every document is planned first, and only existing, non-draft targets are
//! cited.
//!
//! Standard library only. Output is a pure function of (N, seed): the same
//! arguments give byte-identical files. `OUT` must be empty, absent, or a
//! previous output of this program (marked by `OUT/.gen_corpus`), whose
//! `content/` is then replaced.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const FIRST_YEAR: u32 = 2007;
const YEARS: u32 = 20; // 2007–2026
const STAMP: &str = ".gen_corpus";
const GENERATOR_VERSION: u32 = 1;

// ---------------------------------------------------------------------------
// PRNG: splitmix64 (deterministic, std only)
// ---------------------------------------------------------------------------

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    /// A generator for a sub-stream: independent of how much other streams drew.
    fn derive(seed: u64, a: u64, b: u64) -> Self {
        let mut r = Rng(seed ^ 0x6a09_e667_f3bc_c909);
        r.0 ^= r
            .next_u64()
            .wrapping_add(a.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.0 ^= r
            .next_u64()
            .wrapping_add(b.wrapping_mul(0xbf58_476d_1ce4_e5b9));
        r.next_u64();
        r
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }
    /// Uniform in lo..=hi.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `percent`/100.
    fn pct(&mut self, percent: u32) -> bool {
        (self.below(100) as u32) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Vocabulary (inspired by the seed policies)
// ---------------------------------------------------------------------------

const DEPT_BASES: &[&str] = &[
    "総務",
    "企画",
    "政策",
    "財務",
    "財政",
    "税務",
    "市民",
    "市民生活",
    "地域振興",
    "協働推進",
    "健康",
    "健康推進",
    "福祉",
    "子ども家庭",
    "子育て支援",
    "高齢福祉",
    "障害福祉",
    "保険医療",
    "環境",
    "環境保全",
    "清掃",
    "資源循環",
    "都市計画",
    "都市整備",
    "建設",
    "道路",
    "下水道",
    "上下水道",
    "住宅",
    "建築指導",
    "経済",
    "産業振興",
    "観光",
    "農政",
    "商工",
    "文化",
    "文化振興",
    "スポーツ振興",
    "生涯学習",
    "教育",
    "学校教育",
    "教育総務",
    "危機管理",
    "防災",
    "消防",
    "会計",
    "監査",
    "議会事務",
    "選挙管理",
    "人事",
    "行政改革",
    "デジタル推進",
    "情報政策",
    "広報",
    "秘書",
    "契約管財",
    "公園緑地",
    "交通政策",
    "国際交流",
    "男女共同参画",
    "人権推進",
    "病院事業",
    "水道",
];
const DEPT_SUFFIXES: &[&str] = &["部", "局", "室", "本部"];
const KANJI_DIGITS: &[&str] = &["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

const SURNAMES: &[&str] = &[
    "伊藤",
    "玉井",
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "斎藤",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "前田",
    "藤田",
    "小川",
    "岡田",
    "後藤",
    "長谷川",
    "村上",
    "近藤",
    "石井",
    "坂本",
    "遠藤",
    "青木",
    "藤井",
];
const GIVEN_NAMES: &[&str] = &[
    "寿一",
    "理加",
    "健太",
    "直子",
    "誠",
    "裕子",
    "浩",
    "美穂",
    "隆",
    "恵子",
    "大輔",
    "亜紀",
    "修",
    "由美",
    "剛",
    "明美",
    "達也",
    "智子",
    "和彦",
    "真由美",
    "正樹",
    "久美子",
    "博之",
    "陽子",
];

const TAGS: &[&str] = &[
    "防災",
    "人材育成",
    "業務改善",
    "DX",
    "働き方改革",
    "個人情報",
    "ハラスメント防止",
    "SDGs",
    "市民サービス",
    "行政改革",
    "情報共有",
    "デジタル化",
    "財政運営",
    "BPR",
    "危機管理",
    "地域共生社会",
    "脱炭素",
    "内部統制",
    "情報セキュリティ",
    "子育て支援",
];

/// Section titles for `1.` (style A) — `{E}` is the fiscal year in 和暦.
const N_TITLES: &[&str] = &[
    "{E}市政運営の基本方針に基づく取組について",
    "施政方針を踏まえた対応",
    "「第２次総合ビジョン」等を踏まえた対応",
    "適正な事務執行の確保に向けた対応",
    "職員の人材育成に向けた対応",
    "{E}重要課題について",
    "DXの推進に向けた対応",
    "防災・減災対策の強化について",
    "働き方改革の推進について",
    "持続可能な財政運営に向けて",
    "市民サービスの向上に向けた取組",
    "組織運営の基本姿勢",
    "部内連携と庁内横断的な取組について",
    "SDGsの理念を踏まえた施策の推進",
];

/// Subsection titles for `(1)`.
const P_TITLES: &[&str] = &[
    "施政方針を踏まえて",
    "総合ビジョンを踏まえて",
    "事務の適正化に向けて",
    "職員の人材育成を図るために",
    "重要課題に取り組む基本的姿勢",
    "多様化・複雑化する市民ニーズに機動的かつ柔軟に対処できる体制整備",
    "市民サービスの向上と行政事務の効率化",
    "旧庁舎用地利活用事業を通じた庁内連携と市民の参画",
    "情報共有と連携の強化",
    "超過勤務の縮減",
    "個人情報の適正な管理",
    "ハラスメントの根絶",
    "業務改善・BPRの推進",
    "行政手続のオンライン化",
    "災害に強いまちづくり",
    "感染症対策の継続",
    "契約事務の適正化",
    "公文書の適正な管理",
    "情報セキュリティ対策の徹底",
    "予算の適正な執行",
    "地域共生社会の推進",
    "職場環境の改善",
    "委託事業者・指定管理者への指導",
    "苦情対応と市民相談",
];

/// Titles for 第１ (公用文 style).
const DAI_TITLES: &[&str] = &[
    "基本方針",
    "重点取組事項",
    "組織運営",
    "人材育成",
    "事務執行の適正化",
    "市民サービスの向上",
    "危機管理",
    "行財政改革",
    "その他",
];

/// Titles for `１　` under 第１ (公用文 style).
const KOBUN_N_TITLES: &[&str] = &[
    "市政運営の基本方針に基づく取組",
    "重点施策の推進",
    "事務事業の見直し",
    "職員の育成",
    "働きやすい職場づくり",
    "防災体制の強化",
    "デジタル化の推進",
    "情報管理の徹底",
    "予算執行と進行管理",
    "部内外の連携",
];

/// Whole sentences in the manner of the seeds (`、` and `。`).
const SENTENCES: &[&str] = &[
    "職員一人一人が能動的に業務改善の取組を進め、これまで以上に効果的・効率的な組織運営を行うこと。",
    "時代やニーズの変化等により、当初の目的、事業効果を検証し、統合・縮小・廃止も含め、あらゆる可能性を検討することで、限りある行政資源の有効活用を図ること。",
    "BPRの推進、生成AI、データの利活用、関係課との連携を図り、行政手続のオンライン化への取組を進めること。",
    "地域の多様なステークホルダーの強み、人材等を生かした連携を推進することで、まちの活性化、多様化・複雑化する地域課題の解決等に取り組むこと。",
    "市民に寄り添う徹底した現場主義を実践すること。",
    "課又は係単位で毎朝短時間のミーティング及び適宜の会議を開催し、部内、課内及び係内の情報共有が速やかに図れるよう工夫すること。",
    "各職員のその日及びその週の行動、到達目標等を全員で確認するとともに、日常的に声を掛け合う職場づくりに努めること。",
    "風通しの良い職場づくりに努め、チームとして仕事を進めること。",
    "会議の開催は必要最小限とし、「意思決定」「討論」「情報共有」のいずれを目的とした会議であるかを事前に共有するとともに、最短の時間、最小の人数で実施すること。",
    "苦情対応については、市民目線に立ち、速やかな行動を心掛けること。",
    "事務執行に当たっては根拠法令、適正な手続等を確認・理解し、重層的なチェック体制を構築・機能させ、適正に執行すること。",
    "社会情勢の変化や地域の課題等に関し、日頃からアンテナを張り情報収集に努め、把握した情報は迅速に共有し、必要により課題解決に向けて対応に取り組むこと。",
    "働き方改革及びワーク・ライフ・バランスの視点を踏まえ、超過勤務の縮減に向け、効率的な事務執行に努めるとともに、超過勤務に当たっては事前命令を徹底すること。",
    "超過勤務の各課配当時間を常に意識するとともに、特定の職員に業務が集中しないようマネジメントを徹底し、各日午後8時前退庁を厳守すること。",
    "不必要な書類等は漏れなく処分し、日常的な整理整頓に心掛け、快適な執務環境を保持すること。",
    "誠実にそして丁寧に職員と関わり、職員の声にしっかり耳を傾けるとともに明確な指導・指示を心掛け、各職員の能力が最大限に発揮できるようマネジメントを徹底すること。",
    "パワーハラスメント、セクシュアルハラスメント等のハラスメントは、職場環境を悪化させる最大の要因であることを各職員に認識させるとともに、その具体例を共有し、ハラスメントの根絶を徹底すること。",
    "課題解決に当たっては、課長、係長が明確な目標を設定すること。",
    "各職員が自己の能力向上に向けた具体的な目標を設定し取り組めるよう配慮すること。",
    "人材育成は行政運営の要であることから、正規職員、会計年度任用職員を問わず、職員の状況を日常的に把握し、必要な対応を漏れなく速やかに行うこと。",
    "人事管理、庁舎管理、契約等の行政管理においては、公平公正、正確、透明の視点を徹底すること。",
    "個人情報の管理については、常に細心の注意を払い適切に運用するとともに、委託事業者、指定管理者に対しても、適宜指導・確認を行うこと。",
    "緊急時においては、迅速かつ柔軟に対応し、必要に応じて部内の連携、庁内横断的な協力体制を取り、市民サービスの提供、行政としての責務を適切に果たすよう努めること。",
    "互いを敬い大切にできる職場風土、日常的に声を掛け合い、風通しのよい職場づくりに取り組むこと。",
    "事業遂行においては、スピード感、スケジュール感を持って遅延なく業務を完遂できるよう、適正・的確な進行管理を行うこと。",
    "市全体の信用失墜につながる事務執行上のミスを防ぐため、チーム内で重層的なチェック体制を構築し確実に取り組むこと。",
    "管理職は、的確な業務実態の把握と適切な職員のマネジメントを行い、新しい働き方を追求し、業務の効率化を実現すること。",
    "日常的に整理整頓を心掛け、安全で快適な執務環境を保持すること。",
    "行政のデジタル化の推進に向け、デジタル技術の知識及び能力の向上に取り組むこと。",
    "地域共生社会の推進に向け、防災及び防犯における自助力、共助力の向上を意識した施策を推し進めること。",
    "SDGsのゴールの理念を意識しながら、中心事業の目標達成に向け、具体的で実効的な事業の推進を支援すること。",
    "既存の事務事業やシステムについては、常にあるべき姿を念頭に置き、再構築や執行方法の再検討を模索すること。",
    "部内各課において、税収増や税外収入増をもたらすような事業を工夫し、まちの魅力の発掘・発信に向けて各部各課と連携すること。",
    "国・都の予算措置については、各担当部課長会等を通じて万全な情報収集に努め、迅速な対応を図ること。",
    "情報セキュリティポリシーを遵守し、標的型メール訓練の結果を踏まえ、職員の意識の向上を図ること。",
    "文書の作成、保存及び廃棄は公文書管理規程に基づき適正に行い、電子決裁の利用率の向上を図ること。",
    "災害時の業務継続計画を毎年度見直し、職員の参集訓練及び安否確認訓練を確実に実施すること。",
    "生成AIの活用に当たっては、利用ガイドラインを遵守し、個人情報や機密情報を入力しないこと。",
    "窓口における待ち時間の短縮に向け、予約制の導入や手続のオンライン化を検討すること。",
    "日々基本的な感染予防対策を継続して実施するとともに、感染状況により柔軟な感染拡大防止策を行うこと。",
    "関東大震災から100年となる節目の年を契機に、災害に強いまちづくりを一層推進するため、自助力・共助力・公助力の強化に向けた事業を確実に実施すること。",
    "新庁舎建設に伴う付帯工事等事業の契約手続に関しては、最善な事業内容となるよう精査・確認を行い、スケジュール管理を徹底し、余裕をもって確実に実施すること。",
    "市税は市財政の根幹であることから、市民に寄り添った説明及び正確な賦課、及び様々な手段を用いた効果的な徴収に努めること。",
    "率先して地域の方々との絆を深めようとする市民の育成に向け、各地域のイベント、活動等に積極的に参加するよう促すこと。",
    "管理職職員においては、地域のイベント等にも積極的に参加し、それぞれの地域において顔の見える関係を作ること。",
    "複合公共施設の整備については、市民全体での活用に資する施設を目指すとともに、幅広く市民の意見を聴取し、庁内一丸となって進めること。",
    "まちづくりの基本理念である、「すべての人が主役であること」「変化に対してしなやかであること」を念頭に、実行計画に掲げる各施策を着実に推進すること。",
    "LINE公式アカウントを積極的に活用し、プッシュ型情報発信に取り組むこと。",
    "持続可能な市政運営の実現、質の高い行政サービスを提供するため、職員一人一人が本市の財政状況について理解を深め、事業形態や人員配置など、根本から改善を進めること。",
    "業務の目的とアウトカムを正確に捉え、業務フロー、事務事業の見直し等を行い、行政サービスの最適化につながる改善策を積極的に取り入れること。",
    "職員がタイムパフォーマンスを高める体制づくり、誰もが働きやすく最良のパフォーマンスを発揮できる職場づくりに取り組むこと。",
    "職員の挑戦意欲を高める取組、能力向上に資する取組については課、部として支援すること。",
    "「ハラスメントの防止等に関する指針」を周知徹底し、職員が互いを大切に、風通しが良い職場環境の維持に努めること。",
    "具体的な重要課題は別紙「組織目標展開整理表」のとおりとし、各課、各係においては、各事業の進行管理を徹底し、四半期を目安としてその進捗状況を評価すること。",
    "補助金等の交付に当たっては、交付要綱に基づき、実績報告の内容を十分に審査し、不適正な支出がないよう確認すること。",
    "公共施設の老朽化対策については、個別施設計画に基づき、優先順位を明確にした上で計画的に修繕・更新を行うこと。",
    "電話や窓口での問合せには、担当外であっても責任を持って関係課へつなぎ、たらい回しにしないこと。",
    "事故やミスが発生した場合は、速やかに上司に報告し、組織として再発防止策を講じること。",
    "脱炭素社会の実現に向け、庁舎における電力使用量の削減、ペーパーレス化、公用車の電動化等に率先して取り組むこと。",
];

const SUBJECTS: &[&str] = &[
    "事務執行",
    "超過勤務の縮減",
    "個人情報の管理",
    "部内の情報共有",
    "人材育成",
    "防災対策",
    "業務改善",
    "ハラスメントの防止",
    "DXの推進",
    "BPRの取組",
    "SDGsの理念に基づく施策",
    "会議の運営",
    "苦情対応",
    "委託事業者の管理",
    "指定管理者制度の運用",
    "予算執行",
    "契約事務",
    "公文書管理",
    "情報セキュリティ対策",
    "窓口サービス",
    "市民協働",
    "広報・広聴",
    "危機管理",
    "感染症対策",
    "職員の健康管理",
    "財政運営",
    "公共施設の維持管理",
    "地域共生社会の推進",
    "生成AIの活用",
    "行政手続のオンライン化",
    "男女共同参画の推進",
    "多文化共生の推進",
    "脱炭素化の取組",
    "内部統制",
    "監査指摘事項への対応",
    "新規事業の立案",
    "補助金の執行",
    "データの利活用",
    "職場環境の改善",
    "事務事業評価",
];
const CLAUSES: &[&str] = &[
    "根拠法令、適正な手続等を確認・理解した上で",
    "市民目線に立ち",
    "関係部署と緊密に連携し",
    "常に社会情勢の変化にアンテナを張り",
    "前年度の実績と課題を検証し",
    "限りある行政資源を有効に活用し",
    "既成概念にとらわれることなく",
    "重層的なチェック体制を構築し",
    "スピード感を持って",
    "部内各課の役割分担を明確にし",
    "データに基づく分析を行い",
    "市民に寄り添い",
    "四半期を目安として進捗状況を評価し",
    "国・都の動向を注視しつつ",
    "費用対効果を十分に検証した上で",
    "職員一人一人が当事者意識を持ち",
    "庁内横断的な協力体制の下",
    "地域の多様な主体と協働し",
    "市民の意見を幅広く聴取し",
    "先進自治体の事例を調査・研究し",
    "事業の目的とアウトカムを正確に捉え",
    "リスクを洗い出した上で",
    "会計年度任用職員を含む全職員の理解を得ながら",
    "スケジュール管理を徹底し",
];
const OBJECT_ACTIONS: &[&str] = &[
    "見直す",
    "明確にする",
    "定期的に点検する",
    "部内で共有する",
    "再構築する",
    "文書で定める",
    "検証する",
];
/// Objects for 「…を{action}こと」.
const OBJECTS: &[&str] = &[
    "業務フロー",
    "役割分担",
    "数値目標",
    "実施スケジュール",
    "進捗状況",
    "課題と対応策",
    "責任の所在",
    "判断基準",
    "事務処理手順",
    "評価指標",
    "連絡体制",
    "研修計画",
];
const ACTIONS: &[&str] = &[
    "着実に推進する",
    "適正に執行する",
    "徹底する",
    "迅速に対応する",
    "計画的に取り組む",
    "情報共有を図る",
    "業務の効率化を図る",
    "確実に実施する",
    "継続的に改善を図る",
    "全職員に周知徹底する",
    "進行管理を徹底する",
    "課題の解決に努める",
    "具体的な目標を設定する",
    "成果を検証し公表する",
    "必要な見直しを行う",
];
const CONNECTORS: &[&str] = &["また、", "あわせて、", "なお、", "さらに、", "特に、"];

/// Sentences that carry a reference; `{R}` is the reference.
const REF_SENTENCES: &[&str] = &[
    "なお、{R}の取組と整合を図ること。",
    "詳細は{R}のとおりとする。",
    "{R}を踏まえ、引き続き取り組むこと。",
    "前年度の{R}の成果と課題を検証すること。",
    "{R}と連携して進めること。",
    "実施に当たっては{R}を参照すること。",
    "{R}に定める事項は、本項に準じて取り扱うこと。",
];
const REF_TEXTS: &[&str] = &[
    "前年度方針",
    "関連する取組",
    "前年度の方針",
    "同方針",
    "該当箇所",
    "別項",
    "関係部の方針",
];

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

fn fw_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            _ => c,
        })
        .collect()
}

/// ASCII letters and digits to full width (for the 「ＤＸ」「ＳＤＧｓ」 look).
fn fw_alnum(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap()
            } else {
                c
            }
        })
        .collect()
}

fn circled(n: u32) -> char {
    match n {
        1..=20 => char::from_u32(0x2460 + n - 1).unwrap(),
        21..=35 => char::from_u32(0x3251 + n - 21).unwrap(),
        36..=50 => char::from_u32(0x32B1 + n - 36).unwrap(),
        _ => panic!("circled number out of range: {n}"),
    }
}

const KATAKANA: &[&str] = &[
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ",
];
const KATAKANA_HALF: &[&str] = &[
    "ｱ", "ｲ", "ｳ", "ｴ", "ｵ", "ｶ", "ｷ", "ｸ", "ｹ", "ｺ", "ｻ", "ｼ", "ｽ", "ｾ", "ｿ",
];

fn latin(n: u32, full: bool) -> char {
    let c = (b'a' + (n - 1) as u8) as char;
    if full {
        char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap()
    } else {
        c
    }
}

fn kanji_number(n: usize) -> String {
    // 2..=99 → 二 … 九十九
    let (t, o) = (n / 10, n % 10);
    let mut s = String::new();
    if t > 1 {
        s.push_str(KANJI_DIGITS[t]);
    }
    if t >= 1 {
        s.push('十');
    }
    s.push_str(KANJI_DIGITS[o]);
    s
}

/// (era name, era year) of a fiscal year, or of a calendar date when `month` is given.
fn era_of(year: u32, month: Option<u32>) -> (&'static str, u32) {
    let reiwa = match month {
        None => year >= 2019,
        Some(m) => year > 2019 || (year == 2019 && m >= 5),
    };
    if reiwa {
        ("令和", year - 2018)
    } else {
        ("平成", year - 1988)
    }
}

/// 「令和5年度」「令和５年度」「令和元年度」「平成25年度」
fn era_fy(year: u32, full: bool) -> String {
    let (era, n) = era_of(year, None);
    let num = if n == 1 {
        "元".to_string()
    } else if full {
        fw_digits(&n.to_string())
    } else {
        n.to_string()
    };
    format!("{era}{num}年度")
}

// ---------------------------------------------------------------------------
// Plan: departments, documents and their directive structures
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Dai,
    N,
    P,
    C,
    K,
    Kp,
    Lp,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Dai => "dai",
            Kind::N => "n",
            Kind::P => "p",
            Kind::C => "c",
            Kind::K => "k",
            Kind::Kp => "kp",
            Kind::Lp => "lp",
        }
    }
}

struct Dir {
    kind: Kind,
    num: u32,
    /// 「３の２」 → Some(2)
    branch: Option<u32>,
    parent: Option<usize>,
    children: Vec<usize>,
    id: String,
    /// No branch number on its path: safe to cite in every form.
    citable: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// 1. / (1) / ① (both seeds)
    Seed,
    /// 第１ / １ / （１） / ア / （ア） (公用文)
    Kobun,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    Full,
    Half,
    Mixed,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Headings {
    /// `##` for 1., `###` for (1)
    Regular,
    /// levels vary from heading to heading (second seed)
    Inconsistent,
    /// no Markdown headings: markers at the start of paragraphs (first seed)
    Plain,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Active,
    Draft,
    Superseded,
}

struct Dept {
    name: String,
    slug: String,
    /// author per fiscal-year offset (heads serve 2–4 years)
    heads: Vec<String>,
}

struct Doc {
    dept: usize,
    year: u32,
    status: Status,
    style: Style,
    dirs: Vec<Dir>,
}

struct Plan {
    seed: u64,
    years: u32,
    first_year: u32,
    depts: Vec<Dept>,
    docs: Vec<Doc>,
    /// docs_by[dept][year - first_year]
    docs_by: Vec<Vec<Option<usize>>>,
}

fn dept_names(rng: &mut Rng, count: usize) -> Vec<String> {
    let mut names = Vec::with_capacity(count);
    let mut tier = 0usize;
    while names.len() < count {
        let mut t: Vec<String> = Vec::new();
        for b in DEPT_BASES {
            for s in DEPT_SUFFIXES {
                t.push(if tier == 0 {
                    format!("{b}{s}")
                } else {
                    format!("{b}第{}{s}", kanji_number(tier + 1))
                });
            }
        }
        rng.shuffle(&mut t);
        let need = count - names.len();
        names.extend(t.into_iter().take(need));
        tier += 1;
        assert!(tier < 99, "too many departments");
    }
    names
}

fn head_title(dept: &str) -> String {
    format!("{dept}長")
}

struct Builder {
    dirs: Vec<Dir>,
}

impl Builder {
    fn push(&mut self, kind: Kind, num: u32, branch: Option<u32>, parent: Option<usize>) -> usize {
        let numstr = match branch {
            Some(b) => format!("{num}_{b}"),
            None => num.to_string(),
        };
        let (id, citable) = match parent {
            Some(p) => (
                format!("{}-{}{}", self.dirs[p].id, kind.code(), numstr),
                self.dirs[p].citable && branch.is_none(),
            ),
            None => (format!("{}{}", kind.code(), numstr), branch.is_none()),
        };
        let i = self.dirs.len();
        self.dirs.push(Dir {
            kind,
            num,
            branch,
            parent,
            children: Vec::new(),
            id,
            citable,
        });
        if let Some(p) = parent {
            self.dirs[p].children.push(i);
        }
        i
    }
}

/// 1. → (1) → ① (→ (a)), 50–70 directives.
fn seed_structure(rng: &mut Rng) -> Vec<Dir> {
    loop {
        let mut b = Builder { dirs: Vec::new() };
        let top = rng.range(3, 5);
        for i in 1..=top as u32 {
            let n = b.push(Kind::N, i, None, None);
            let np = rng.range(2, 5) as u32;
            for j in 1..=np {
                let p = b.push(Kind::P, j, None, Some(n));
                if rng.pct(75) {
                    for k in 1..=rng.range(2, 8) as u32 {
                        let c = b.push(Kind::C, k, None, Some(p));
                        if rng.pct(4) {
                            for l in 1..=rng.range(2, 3) as u32 {
                                b.push(Kind::Lp, l, None, Some(c));
                            }
                        }
                    }
                }
                if j < np && rng.pct(1) {
                    // 「（３の２）」: a subsection added later between (3) and (4)
                    let q = b.push(Kind::P, j, Some(2), Some(n));
                    for k in 1..=rng.range(1, 3) as u32 {
                        b.push(Kind::C, k, None, Some(q));
                    }
                }
            }
        }
        if (50..=70).contains(&b.dirs.len()) {
            return b.dirs;
        }
    }
}

/// 第１ → １ → （１） → ア → （ア）, 50–70 directives.
fn kobun_structure(rng: &mut Rng) -> Vec<Dir> {
    loop {
        let mut b = Builder { dirs: Vec::new() };
        for d in 1..=rng.range(2, 4) as u32 {
            let dai = b.push(Kind::Dai, d, None, None);
            for i in 1..=rng.range(2, 4) as u32 {
                let n = b.push(Kind::N, i, None, Some(dai));
                for j in 1..=rng.range(1, 4) as u32 {
                    let p = b.push(Kind::P, j, None, Some(n));
                    let nk = if rng.pct(30) { 0 } else { rng.range(2, 5) };
                    for k in 1..=nk as u32 {
                        let kk = b.push(Kind::K, k, None, Some(p));
                        if rng.pct(15) {
                            for l in 1..=rng.range(2, 3) as u32 {
                                b.push(Kind::Kp, l, None, Some(kk));
                            }
                        }
                    }
                }
            }
        }
        if (50..=70).contains(&b.dirs.len()) {
            return b.dirs;
        }
    }
}

impl Plan {
    fn new(n: usize, seed: u64) -> Plan {
        let years = (n.max(1) as u32).min(YEARS);
        let first_year = FIRST_YEAR + YEARS - years;
        let ndept = n.div_ceil(years as usize);
        let mut rng = Rng::derive(seed, 0, 0);
        let names = dept_names(&mut rng, ndept);
        let width = ndept.to_string().len().max(3);
        let depts: Vec<Dept> = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let mut heads = Vec::new();
                while heads.len() < years as usize {
                    let person = format!(
                        "{}{}{}",
                        rng.pick(SURNAMES),
                        if rng.pct(60) { " " } else { "" },
                        rng.pick(GIVEN_NAMES)
                    );
                    let sep = if rng.pct(70) { " " } else { "　" };
                    let author = format!("{}{sep}{person}", head_title(&name));
                    for _ in 0..rng.range(2, 4) {
                        heads.push(author.clone());
                    }
                }
                heads.truncate(years as usize);
                Dept {
                    name,
                    slug: format!("d{:0width$}", i + 1),
                    heads,
                }
            })
            .collect();

        let mut docs = Vec::with_capacity(n);
        let mut docs_by = vec![vec![None; years as usize]; ndept];
        for i in 0..n {
            let dept = i / years as usize;
            let yo = (i % years as usize) as u32;
            let year = first_year + yo;
            let mut r = Rng::derive(seed, 1, i as u64);
            let status = if r.pct(2) {
                Status::Draft
            } else if yo + 1 < years && r.pct(2) {
                Status::Superseded
            } else {
                Status::Active
            };
            let style = if r.pct(35) { Style::Kobun } else { Style::Seed };
            let dirs = match style {
                Style::Seed => seed_structure(&mut r),
                Style::Kobun => kobun_structure(&mut r),
            };
            docs_by[dept][yo as usize] = Some(docs.len());
            docs.push(Doc {
                dept,
                year,
                status,
                style,
                dirs,
            });
        }
        Plan {
            seed,
            years,
            first_year,
            depts,
            docs,
            docs_by,
        }
    }

    fn key(&self, d: usize) -> String {
        let doc = &self.docs[d];
        format!("{}/{}", doc.year, self.depts[doc.dept].slug)
    }

    fn citable(&self, d: usize) -> bool {
        self.docs[d].status != Status::Draft
    }
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

/// A piece of a paragraph: wrappable text, or an unbreakable reference/link.
enum Seg {
    Text(String),
    Atom(String),
}

struct Flavor {
    width: Width,
    /// full-width digits (and sometimes letters) in running text
    fw_text: bool,
    comma: &'static str,
    wrap: Option<usize>,
    headings: Headings,
    /// marker lines follow each other without blank lines where SPEC §3.1 allows it
    consecutive: bool,
    /// how markers are followed: "", " " or "　"
    circled_sep: &'static str,
    /// a fraction of `1.` written as the 「1、」 form
    n_comma: bool,
}

struct Ctx<'a> {
    plan: &'a Plan,
    d: usize,
    rng: Rng,
    fl: Flavor,
    refs: usize,
    /// per-list shuffled decks, so that a document repeats a sentence or a
    /// title only once its list is used up
    decks: Vec<Vec<usize>>,
}

#[derive(Clone, Copy)]
enum List {
    Sentences = 0,
    NTitles,
    PTitles,
    DaiTitles,
    KobunNTitles,
    Subjects,
}

fn is_breakable_start(c: char) -> bool {
    // hiragana (not small kana) or a CJK ideograph other than 第: cannot start a marker
    let small = "ぁぃぅぇぉっゃゅょゎゝゞ";
    (('\u{3041}'..='\u{309F}').contains(&c) && !small.contains(c))
        || (('\u{4E00}'..='\u{9FFF}').contains(&c) && c != '第')
}

fn is_wide(c: char) -> bool {
    ('\u{3041}'..='\u{30FF}').contains(&c) || ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Writes a paragraph chunk, hard-wrapped at about `wrap` characters, breaking
/// only between two Japanese characters where the next line cannot be read as
/// a marker.
fn emit(out: &mut String, segs: &[Seg], wrap: Option<usize>) {
    let Some(w) = wrap else {
        for s in segs {
            match s {
                Seg::Text(t) | Seg::Atom(t) => out.push_str(t),
            }
        }
        out.push('\n');
        return;
    };
    let mut col = 0usize;
    let mut prev = '\n';
    for s in segs {
        match s {
            Seg::Atom(t) => {
                out.push_str(t);
                col += t.chars().count();
                prev = t.chars().last().unwrap_or(prev);
            }
            Seg::Text(t) => {
                for c in t.chars() {
                    if col >= w && is_wide(prev) && is_breakable_start(c) {
                        out.push('\n');
                        col = 0;
                    }
                    out.push(c);
                    col += 1;
                    prev = c;
                }
            }
        }
    }
    out.push('\n');
}

impl<'a> Ctx<'a> {
    fn doc(&self) -> &'a Doc {
        &self.plan.docs[self.d]
    }

    fn draw(&mut self, list: List) -> &'static str {
        let items: &'static [&'static str] = match list {
            List::Sentences => SENTENCES,
            List::NTitles => N_TITLES,
            List::PTitles => P_TITLES,
            List::DaiTitles => DAI_TITLES,
            List::KobunNTitles => KOBUN_N_TITLES,
            List::Subjects => SUBJECTS,
        };
        let deck = &mut self.decks[list as usize];
        if deck.is_empty() {
            deck.extend(0..items.len());
            self.rng.shuffle(deck);
        }
        items[deck.pop().unwrap()]
    }

    fn full_marker(&mut self) -> bool {
        match self.fl.width {
            Width::Full => true,
            Width::Half => false,
            Width::Mixed => self.rng.pct(50),
        }
    }

    /// Running text in the document's punctuation and width.
    fn text(&mut self, s: &str) -> String {
        let e = era_fy(self.doc().year, self.fl.fw_text);
        let mut t = s.replace("{E}", &e);
        if self.fl.comma != "、" {
            t = t.replace('、', self.fl.comma);
        }
        if self.fl.fw_text {
            t = fw_digits(&t);
            if self.rng.pct(30) {
                t = fw_alnum(&t);
            }
        }
        t
    }

    fn sentence(&mut self) -> String {
        let r = self.rng.below(20);
        if r < 8 {
            let t = self.draw(List::Sentences);
            return self.text(t);
        }
        let subj = self.draw(List::Subjects);
        let c1 = *self.rng.pick(CLAUSES);
        let mut c2 = *self.rng.pick(CLAUSES);
        if c2 == c1 {
            c2 = "部内で十分に協議の上";
        }
        let act = *self.rng.pick(ACTIONS);
        let obj = *self.rng.pick(OBJECTS);
        let s = match r {
            8..=10 => format!("{subj}については、{c1}、{act}こと。"),
            11..=12 => format!("{subj}に当たっては、{c1}、{c2}、{act}こと。"),
            13 => format!("{c1}、{subj}について{act}こと。"),
            14 => format!(
                "{{E}}は、{subj}について、{c1}、{obj}を{}こと。",
                self.rng.pick(OBJECT_ACTIONS)
            ),
            15 => format!(
                "{subj}の状況を四半期ごとに把握し、{c1}、{obj}を{}こと。",
                self.rng.pick(OBJECT_ACTIONS)
            ),
            16 => format!("{subj}については、{obj}を明確にした上で、{c1}、{act}こと。"),
            17 => {
                let n = self.rng.range(2, 12);
                format!("{subj}の取組を年{n}回以上点検し、{c1}、{act}こと。")
            }
            _ => {
                let n = self.rng.range(2, 30);
                format!("{subj}については、{c1}、前年度比{n}％の改善を目標として{act}こと。")
            }
        };
        self.text(&s)
    }

    /// 1–3 sentences of directive body.
    fn body(&mut self, segs: &mut Vec<Seg>) {
        let n = match self.rng.below(20) {
            0..=2 => 1,
            3..=9 => 2,
            10..=16 => 3,
            _ => 4,
        };
        let mut t = String::new();
        for i in 0..n {
            if i > 0 && self.rng.pct(50) {
                let c = self.rng.pick(CONNECTORS);
                t.push_str(&self.text(c));
                let s = self.sentence();
                t.push_str(&s);
            } else {
                t.push_str(&self.sentence());
            }
        }
        segs.push(Seg::Text(t));
    }

    // --- markers ---------------------------------------------------------

    fn num(&mut self, n: u32, full: bool) -> String {
        if full {
            fw_digits(&n.to_string())
        } else {
            n.to_string()
        }
    }

    fn marker(&mut self, di: usize) -> String {
        let doc = self.doc();
        let dir = &doc.dirs[di];
        let (kind, num, branch) = (dir.kind, dir.num, dir.branch);
        let full = self.full_marker();
        let branch_s = |s: String, full: bool| match branch {
            Some(b) => format!(
                "{s}の{}",
                if full {
                    fw_digits(&b.to_string())
                } else {
                    b.to_string()
                }
            ),
            None => s,
        };
        match (doc.style, kind) {
            (_, Kind::Dai) => format!("第{}　", self.num(num, full)),
            (Style::Seed, Kind::N) => {
                if self.fl.n_comma && self.rng.pct(50) {
                    format!("{}、", self.num(num, full))
                } else if full {
                    format!("{}．", self.num(num, true))
                } else {
                    format!("{}. ", num)
                }
            }
            (Style::Kobun, Kind::N) => {
                if full {
                    format!("{}　", self.num(num, true))
                } else {
                    format!("{}{}", num, if self.rng.pct(50) { " " } else { "　" })
                }
            }
            (_, Kind::P) => {
                let inner = branch_s(self.num(num, full), full);
                if branch.is_none() && num <= 20 && self.rng.pct(3) {
                    char::from_u32(0x2474 + num - 1).unwrap().to_string()
                } else if full {
                    format!("（{inner}）")
                } else {
                    format!("({inner}) ")
                }
            }
            (_, Kind::C) => format!("{}{}", circled(num), self.fl.circled_sep),
            (_, Kind::K) => format!("{}　", KATAKANA[num as usize - 1]),
            (_, Kind::Kp) => {
                if full {
                    format!("（{}）", KATAKANA[num as usize - 1])
                } else if self.rng.pct(30) {
                    format!("({})", KATAKANA_HALF[num as usize - 1])
                } else {
                    format!("({})", KATAKANA[num as usize - 1])
                }
            }
            (_, Kind::Lp) => {
                if full {
                    format!("（{}）", latin(num, true))
                } else {
                    format!("({}) ", latin(num, false))
                }
            }
        }
    }

    // --- references ------------------------------------------------------

    /// The directive part of a reference to `di` of document `d`, as a person
    /// might write it.
    fn directive_ref(&mut self, d: usize, di: usize) -> String {
        let doc = &self.plan.docs[d];
        let mut path = Vec::new();
        let mut cur = Some(di);
        while let Some(i) = cur {
            path.push(i);
            cur = doc.dirs[i].parent;
        }
        path.reverse();
        let form = self.rng.below(10);
        if form < 4 || !doc.dirs[di].citable {
            return doc.dirs[di].id.clone();
        }
        // 4–5 canonical, 6–7 full width, 8 compact, 9 spaced
        let full = form == 6 || form == 7;
        let compact = form == 8;
        let spaced = form == 9;
        let mut s = String::new();
        for (k, &i) in path.iter().enumerate() {
            let dir = &doc.dirs[i];
            let last = k + 1 == path.len();
            if k > 0 && spaced && doc.dirs[path[k - 1]].kind != Kind::Dai {
                s.push(' ');
            }
            let n = if full {
                fw_digits(&dir.num.to_string())
            } else {
                dir.num.to_string()
            };
            match dir.kind {
                Kind::Dai => {
                    s.push_str(&format!("第{n}"));
                    if !last {
                        s.push_str(if full { "　" } else { " " });
                    }
                }
                Kind::N => {
                    s.push_str(&n);
                    if !compact || last {
                        s.push_str(if full { "．" } else { "." });
                    }
                }
                Kind::P => s.push_str(&if full {
                    format!("（{n}）")
                } else {
                    format!("({n})")
                }),
                Kind::C => s.push(circled(dir.num)),
                Kind::K => s.push_str(KATAKANA[dir.num as usize - 1]),
                Kind::Kp => {
                    let k = KATAKANA[dir.num as usize - 1];
                    s.push_str(&if full {
                        format!("（{k}）")
                    } else {
                        format!("({k})")
                    })
                }
                Kind::Lp => s.push_str(&if full {
                    format!("（{}）", latin(dir.num, true))
                } else {
                    format!("({})", latin(dir.num, false))
                }),
            }
        }
        s
    }

    /// DOC part of a reference: key or DEPARTMENT/YEAR in some year form.
    fn doc_ref(&mut self, d: usize) -> String {
        let plan = self.plan;
        let doc = &plan.docs[d];
        let dept = &plan.depts[doc.dept].name;
        let y = doc.year;
        match self.rng.below(20) {
            0..=7 => plan.key(d),
            8..=10 => format!("{dept}/{y}"),
            11..=13 => format!("{dept}/{}", era_fy(y, false)),
            14..=15 => format!("{dept}/{}", era_fy(y, true)),
            _ => {
                if y >= 2019 {
                    format!("{dept}/R{}", y - 2018)
                } else {
                    format!("{dept}/{}", era_fy(y, false))
                }
            }
        }
    }

    fn pick_dir(&mut self, d: usize) -> usize {
        let dirs = &self.plan.docs[d].dirs;
        loop {
            let i = self.rng.below(dirs.len());
            if dirs[i].citable || self.rng.pct(20) {
                return i;
            }
        }
    }

    /// A reference target other than this document.
    fn pick_target(&mut self) -> Option<usize> {
        let plan = self.plan;
        let me = &plan.docs[self.d];
        let yo = (me.year - plan.first_year) as usize;
        for _ in 0..8 {
            let cand = match self.rng.below(10) {
                // the same department in an earlier year
                0..=3 if yo > 0 => {
                    let back = 1 + self.rng.below(yo.min(3));
                    plan.docs_by[me.dept][yo - back]
                }
                // another department the same year
                4..=6 => plan.docs_by[self.rng.below(plan.depts.len())][yo],
                _ => Some(self.rng.below(plan.docs.len())),
            };
            if let Some(c) = cand {
                if c != self.d && plan.citable(c) {
                    return Some(c);
                }
            }
        }
        None
    }

    fn link_text(&mut self, d: usize) -> String {
        let doc = &self.plan.docs[d];
        let name = &self.plan.depts[doc.dept].name;
        match self.rng.below(3) {
            0 => format!("{name}の運営方針"),
            1 => format!("{}{name}運営方針", era_fy(doc.year, self.fl.fw_text)),
            _ => self.rng.pick(REF_TEXTS).to_string(),
        }
    }

    /// One reference in any SPEC §4 form.
    fn reference(&mut self) -> String {
        self.refs += 1;
        let target = if self.rng.pct(15) {
            None
        } else {
            self.pick_target()
        };
        let Some(t) = target else {
            // same document
            let di = self.pick_dir(self.d);
            let dir = self.directive_ref(self.d, di);
            return if self.rng.pct(30) {
                let txt = self.rng.pick(REF_TEXTS).to_string();
                format!("[[#{dir}|{txt}]]")
            } else {
                format!("[[#{dir}]]")
            };
        };
        let whole = self.rng.pct(20);
        if self.rng.pct(12) {
            // a plain relative Markdown link to the other document's .md file
            let me = self.doc();
            let tdoc = &self.plan.docs[t];
            let slug = &self.plan.depts[tdoc.dept].slug;
            let path = if tdoc.year == me.year {
                if self.rng.pct(50) {
                    format!("{slug}.md")
                } else {
                    format!("./{slug}.md")
                }
            } else {
                format!("../{}/{slug}.md", tdoc.year)
            };
            let anchor = if whole {
                String::new()
            } else {
                let di = self.pick_dir(t);
                format!("#{}", self.plan.docs[t].dirs[di].id)
            };
            let text = self.link_text(t);
            return format!("[{text}]({path}{anchor})");
        }
        let docpart = self.doc_ref(t);
        let target = if whole {
            docpart
        } else {
            let di = self.pick_dir(t);
            format!("{docpart}#{}", self.directive_ref(t, di))
        };
        if self.rng.pct(30) {
            let txt = self.link_text(t);
            format!("[[{target}|{txt}]]")
        } else {
            format!("[[{target}]]")
        }
    }

    fn ref_sentence(&mut self, segs: &mut Vec<Seg>) {
        let r = self.reference();
        let tpl = *self.rng.pick(REF_SENTENCES);
        let (a, b) = tpl.split_once("{R}").unwrap();
        let (a, b) = (self.text(a), self.text(b));
        segs.push(Seg::Text(a));
        segs.push(Seg::Atom(r));
        segs.push(Seg::Text(b));
    }

    // --- blocks ----------------------------------------------------------

    fn heading_level(&mut self, base: usize) -> usize {
        match self.fl.headings {
            Headings::Inconsistent => {
                let up = self.rng.pct(30);
                let lvl = base + self.rng.below(3) - usize::from(up);
                lvl.clamp(2, 6)
            }
            _ => base,
        }
    }

    fn title_for(&mut self, kind: Kind) -> String {
        let t = match (self.doc().style, kind) {
            (_, Kind::Dai) => self.draw(List::DaiTitles),
            (Style::Seed, Kind::N) => self.draw(List::NTitles),
            (Style::Kobun, Kind::N) => self.draw(List::KobunNTitles),
            _ => self.draw(List::PTitles),
        };
        self.text(t)
    }

    fn table(&mut self, out: &mut String) {
        let y = self.doc().year;
        let prev = era_fy(y - 1, self.fl.fw_text);
        let cur = era_fy(y, self.fl.fw_text);
        out.push_str(&self.text("主な指標は次のとおりとする。"));
        out.push_str("\n\n");
        let _ = writeln!(out, "| 指標 | 現状値（{prev}） | 目標値（{cur}） |");
        out.push_str("| --- | ---: | ---: |\n");
        let rows: &[(&str, &str)] = &[
            ("超過勤務時間（月平均）", "時間"),
            ("電子申請の利用率", "％"),
            ("研修受講者数", "人"),
            ("窓口の平均待ち時間", "分"),
            ("電子決裁の利用率", "％"),
            ("防災訓練の実施回数", "回"),
            ("個人情報に関する事故件数", "件"),
        ];
        let n = self.rng.range(3, 5);
        let start = self.rng.below(rows.len());
        for k in 0..n {
            let (label, unit) = rows[(start + k) % rows.len()];
            let a = self.rng.range(5, 90);
            let b = if self.rng.pct(50) {
                a + self.rng.range(1, 9)
            } else {
                a.saturating_sub(self.rng.range(1, 4))
            };
            let _ = writeln!(out, "| {label} | {a}{unit} | {b}{unit} |");
        }
        out.push('\n');
    }

    /// Whether `next` may follow `prev` on the very next line of a paragraph
    /// (SPEC §3.1: next sibling or first child of the directive before it).
    fn may_follow(&self, prev: usize, next: usize) -> bool {
        let dirs = &self.doc().dirs;
        let (p, n) = (&dirs[prev], &dirs[next]);
        (n.parent == Some(prev) && p.children.first() == Some(&next))
            || (n.parent == p.parent
                && n.kind == p.kind
                && n.branch.is_none()
                && p.branch.is_none()
                && n.num == p.num + 1)
    }

    fn render(&mut self, ref_hosts: &[usize]) -> String {
        let plan = self.plan;
        let doc = self.doc();
        let dept = &plan.depts[doc.dept];
        let yo = (doc.year - plan.first_year) as usize;
        let mut out = String::with_capacity(24 * 1024);

        // ---- front matter
        let fy = doc.year;
        out.push_str("---\n");
        let year_form = match self.rng.below(10) {
            0..=2 => fy.to_string(),
            3..=4 => format!("\"{}\"", era_fy(fy, false)),
            5 => era_fy(fy, false),
            6..=7 => format!("\"{}\"", era_fy(fy, true)),
            _ => {
                if fy >= 2019 {
                    format!("R{}", fy - 2018)
                } else {
                    format!("\"{}\"", era_fy(fy, self.rng.pct(50)))
                }
            }
        };
        let year_form = if fy == 2019 && self.rng.pct(60) {
            "\"令和元年度\"".to_string()
        } else {
            year_form
        };
        let _ = writeln!(out, "year: {year_form}");
        let _ = writeln!(out, "department: {}", dept.name);
        let author = dept.heads[yo].clone();
        let _ = writeln!(out, "author: {author}");
        let era_title = era_fy(fy, self.fl.fw_text);
        let title = match self.rng.below(3) {
            0 => format!("{era_title}{}の運営方針について", dept.name),
            1 => format!("{era_title}{}の運営方針", dept.name),
            _ => format!("{era_title} {} 運営方針", dept.name),
        };
        let _ = writeln!(out, "title: {title}");
        let (m, day) = *self
            .rng
            .pick(&[(4u32, 1u32), (4, 1), (4, 1), (4, 3), (3, 31), (3, 29)]);
        let date = if self.rng.pct(45) {
            format!("{fy}-{m:02}-{day:02}")
        } else {
            let (era, n) = era_of(fy, Some(m));
            let s = format!(
                "{era}{}年{m}月{day}日",
                if n == 1 {
                    "元".to_string()
                } else {
                    n.to_string()
                }
            );
            format!("\"{}\"", if self.fl.fw_text { fw_digits(&s) } else { s })
        };
        let _ = writeln!(out, "date: {date}");
        let audience = match self.rng.below(3) {
            0 => format!("{}管理職各位", dept.name),
            1 => format!("{}管理職 各位", dept.name),
            _ => format!("{}各課長 各位", dept.name),
        };
        let _ = writeln!(out, "audience: {audience}");
        let status = match doc.status {
            Status::Active => "active",
            Status::Draft => "draft",
            Status::Superseded => "superseded",
        };
        let _ = writeln!(out, "status: {status}");
        let mut tags: Vec<&str> = Vec::new();
        for _ in 0..self.rng.range(1, 4) {
            let t = *self.rng.pick(TAGS);
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let _ = writeln!(out, "tags: [{}]", tags.join(", "));
        match self.rng.below(4) {
            0 | 1 => out.push_str("extra: {}\n"),
            2 => {
                let _ = writeln!(
                    out,
                    "extra: {{form: 様式第{}号, reviewed: true}}",
                    self.rng.range(1, 9)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "extra:\n  divisions: {}\n  contact: 内線{}",
                    self.rng.range(2, 9),
                    self.rng.range(1000, 4999)
                );
            }
        }
        out.push_str("---\n\n");

        // ---- title line (H1, or the second seed's stray ###)
        match self.rng.below(10) {
            0..=2 => {
                let _ = writeln!(out, "# {title}\n");
            }
            3 => {
                let _ = writeln!(out, "### {title}\n");
            }
            _ => {}
        }

        // ---- preamble
        let mut pre = Vec::new();
        let prev_year = if yo > 0 {
            plan.docs_by[doc.dept][yo - 1]
        } else {
            None
        };
        let when = match self.rng.below(3) {
            0 => "年度当初に".to_string(),
            1 => "先般".to_string(),
            _ => {
                let (era, n) = era_of(doc.year, Some(3));
                format!(
                    "{era}{}年3月31日付で",
                    if n == 1 {
                        "元".to_string()
                    } else {
                        n.to_string()
                    }
                )
            }
        };
        let mut t = self.text(&format!(
            "{when}市長より示された「{{E}}市政運営の基本方針」に基づき、以下のとおり、{}の運営方針を策定した。",
            dept.name
        ));
        if let Some(p) = prev_year.filter(|&p| plan.citable(p) && self.rng.pct(60)) {
            pre.push(Seg::Text(t));
            let r = if self.rng.pct(50) {
                self.refs += 1;
                format!("[[{}]]", self.doc_ref(p))
            } else {
                self.refs += 1;
                format!("[[{}|前年度の運営方針]]", self.doc_ref(p))
            };
            pre.push(Seg::Text(self.text("策定に当たっては、")));
            pre.push(Seg::Atom(r));
            t = self.text("の取組状況を検証し、その成果と課題を反映している。");
        }
        pre.push(Seg::Text(t));
        emit(&mut out, &pre, self.fl.wrap);
        out.push('\n');
        let t = self.text("各管理職においては、市政運営の基本方針及び本方針について理解を深め、各所属職員に周知徹底するとともに、各施策・事業を着実に推進されたい。");
        emit(&mut out, &[Seg::Text(t)], self.fl.wrap);
        out.push('\n');
        if self.rng.pct(50) {
            out.push_str("記\n\n");
        }

        // ---- directives
        let ndirs = doc.dirs.len();
        let mut last_line_dir: Option<usize> = None; // directive whose text ended the current paragraph
        let tables_after: Vec<usize> = if self.rng.pct(30) {
            (0..self.rng.range(1, 2))
                .map(|_| self.rng.below(ndirs))
                .collect()
        } else {
            Vec::new()
        };
        for di in 0..ndirs {
            let dir = &doc.dirs[di];
            let has_children = !dir.children.is_empty();
            let heading = match (doc.style, dir.kind) {
                (_, Kind::Dai) => Some(2),
                (Style::Seed, Kind::N) if self.fl.headings != Headings::Plain => Some(2),
                (Style::Seed, Kind::P) if self.fl.headings != Headings::Plain && has_children => {
                    Some(3)
                }
                (Style::Kobun, Kind::N) if self.fl.headings == Headings::Inconsistent => Some(3),
                _ => None,
            };
            let marker = self.marker(di);
            if let Some(base) = heading {
                if last_line_dir.is_some() {
                    out.push('\n');
                }
                let lvl = if dir.kind == Kind::Dai {
                    2
                } else {
                    self.heading_level(base)
                };
                let title = self.title_for(dir.kind);
                let _ = writeln!(out, "{} {marker}{title}\n", "#".repeat(lvl));
                last_line_dir = None;
                continue;
            }
            // a paragraph line: consecutive with the previous one when allowed
            if let Some(prev) = last_line_dir {
                let join = self.fl.consecutive && self.may_follow(prev, di) && self.rng.pct(85);
                if !join {
                    out.push('\n');
                }
            }
            let mut segs = vec![Seg::Text(marker)];
            if has_children {
                let t = match dir.kind {
                    Kind::K | Kind::C => self.text("次の事項に取り組むこと。"),
                    _ => self.title_for(dir.kind),
                };
                segs.push(Seg::Text(t));
            } else {
                self.body(&mut segs);
                let hosts = ref_hosts.iter().filter(|&&h| h == di).count();
                for _ in 0..hosts {
                    self.ref_sentence(&mut segs);
                }
            }
            emit(&mut out, &segs, self.fl.wrap);
            last_line_dir = Some(di);
            // an unnumbered follow-up paragraph (「また、…」), as in the seeds
            if !has_children && self.rng.pct(6) {
                out.push('\n');
                let s = self.sentence();
                let t = format!("{}{s}", self.text("また、"));
                emit(&mut out, &[Seg::Text(t)], self.fl.wrap);
                last_line_dir = None;
                out.push('\n');
            }
            if tables_after.contains(&di) && !has_children {
                out.push('\n');
                self.table(&mut out);
                last_line_dir = None;
            }
        }
        if last_line_dir.is_some() {
            out.push('\n');
        }
        if self.rng.pct(40) {
            out.push_str("以上\n");
        }
        out
    }
}

fn flavor(rng: &mut Rng, style: Style) -> Flavor {
    let width = match (style, rng.below(20)) {
        (Style::Kobun, 0..=13) => Width::Full,
        (Style::Kobun, _) => Width::Mixed,
        (_, 0..=7) => Width::Full,
        (_, 8..=16) => Width::Half,
        _ => Width::Mixed,
    };
    let fw_text = width == Width::Full && rng.pct(70);
    let comma = if rng.pct(40) { "，" } else { "、" };
    let wrap = if rng.pct(35) {
        Some(rng.range(38, 46))
    } else {
        None
    };
    let headings = match rng.below(10) {
        0..=5 => Headings::Regular,
        6..=7 => Headings::Inconsistent,
        _ => Headings::Plain,
    };
    let consecutive = style == Style::Kobun || wrap.is_some() || rng.pct(30);
    let circled_sep = *rng.pick(&["", " ", " ", "　"]);
    let n_comma = width != Width::Full && rng.pct(10);
    Flavor {
        width,
        fw_text,
        comma,
        wrap,
        headings,
        consecutive,
        circled_sep,
        n_comma,
    }
}

fn render_doc(plan: &Plan, d: usize) -> (String, usize) {
    let mut rng = Rng::derive(plan.seed, 2, d as u64);
    let doc = &plan.docs[d];
    let fl = flavor(&mut rng, doc.style);
    // leaves that will carry a reference sentence
    let leaves: Vec<usize> = (0..doc.dirs.len())
        .filter(|&i| doc.dirs[i].children.is_empty())
        .collect();
    let nrefs = rng.range(8, 16);
    let hosts: Vec<usize> = (0..nrefs)
        .map(|_| leaves[rng.below(leaves.len())])
        .collect();
    let mut ctx = Ctx {
        plan,
        d,
        rng,
        fl,
        refs: 0,
        decks: vec![Vec::new(); 6],
    };
    let s = ctx.render(&hosts);
    (s, ctx.refs)
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

fn usage() -> ExitCode {
    eprintln!("usage: gen_corpus OUT N [--seed S]");
    ExitCode::from(2)
}

fn prepare_out(out: &Path) -> io::Result<()> {
    if out.exists() {
        let empty = fs::read_dir(out)?.next().is_none();
        if !empty && !out.join(STAMP).exists() {
            return Err(io::Error::other(format!(
                "{} is not empty and was not written by gen_corpus (no {STAMP}); refusing to overwrite",
                out.display()
            )));
        }
        for p in ["content", "site.toml", STAMP] {
            let p = out.join(p);
            if p.is_dir() {
                fs::remove_dir_all(&p)?;
            } else if p.exists() {
                fs::remove_file(&p)?;
            }
        }
    }
    fs::create_dir_all(out.join("content"))?;
    // written first, so that an interrupted run can be redone in place
    fs::write(out.join(STAMP), "gen_corpus: incomplete\n")
}

fn run(out: PathBuf, n: usize, seed: u64) -> io::Result<()> {
    prepare_out(&out)?;
    let plan = Plan::new(n, seed);

    let mut toml = String::new();
    let _ = writeln!(
        toml,
        "# generated by examples/gen_corpus.rs (n = {n}, seed = {seed})"
    );
    let _ = writeln!(toml, "title = \"運営方針ポータル（ベンチマーク {n}件）\"");
    toml.push_str("language = \"ja\"\n\n[departments]\n");
    for d in &plan.depts {
        let _ = writeln!(toml, "\"{}\" = \"{}\"", d.name, d.slug);
    }
    fs::write(out.join("site.toml"), &toml)?;
    let mut bytes = toml.len() as u64;

    for y in plan.first_year..plan.first_year + plan.years {
        if plan.docs.iter().any(|d| d.year == y) {
            fs::create_dir_all(out.join("content").join(y.to_string()))?;
        }
    }
    let (mut directives, mut references) = (0usize, 0usize);
    for d in 0..plan.docs.len() {
        let (text, refs) = render_doc(&plan, d);
        let doc = &plan.docs[d];
        let path = out.join("content").join(format!("{}.md", plan.key(d)));
        fs::write(&path, &text)?;
        bytes += text.len() as u64;
        directives += doc.dirs.len();
        references += refs;
    }
    fs::write(
        out.join(STAMP),
        format!("gen_corpus v{GENERATOR_VERSION} n={n} seed={seed}\n"),
    )?;
    println!(
        "documents {}, departments {}, years {}-{}, directives {directives}, references {references}, bytes {bytes}",
        plan.docs.len(),
        plan.depts.len(),
        plan.first_year,
        plan.first_year + plan.years - 1,
    );
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut pos = Vec::new();
    let mut seed = 1u64;
    while let Some(a) = args.next() {
        if a == "--seed" {
            match args.next().and_then(|s| s.parse().ok()) {
                Some(s) => seed = s,
                None => return usage(),
            }
        } else if let Some(s) = a.strip_prefix("--seed=") {
            match s.parse() {
                Ok(s) => seed = s,
                Err(_) => return usage(),
            }
        } else if a == "-h" || a == "--help" {
            println!("usage: gen_corpus OUT N [--seed S]");
            return ExitCode::SUCCESS;
        } else {
            pos.push(a);
        }
    }
    if pos.len() != 2 {
        return usage();
    }
    let Ok(n) = pos[1].parse::<usize>() else {
        return usage();
    };
    if n == 0 {
        return usage();
    }
    match run(PathBuf::from(&pos[0]), n, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
