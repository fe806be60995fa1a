/**
 * The name test for speaker labels: is the `Label` of a `Label: text` line a person,
 * a diarisation placeholder, or a field label (重点, 解决方案, Solution, Spotify)?
 *
 * Used by the body parser (which lines are speaker turns) and by the linker (which
 * speakers get a person page: never a placeholder). The rules, in order:
 *
 * - `placeholder`: labels a speech-recognition or diarisation tool writes for a voice
 *   it cannot name (`SPEAKER_00`, `Speaker 1`, `发言人 1`, `说话人2`, `A`, `@`, participant codes
 *   such as `P1`, `G3P1`, `sp3000`) and role
 *   words (主持人, 嘉宾, Host, Guest, Q, 问). They are speakers within their note, never people.
 * - `null` (not a speaker): a field label from the stoplist or ending in a field word
 *   (…方案, …问题, …步骤), a sentence (punctuation, more than five words), anything with
 *   digits, a platform name (Spotify, YouTube), or a Han phrase that the ICU dictionary
 *   cuts into words (解决方案 → 解决|方案, 指明位宽 → 指明|位|宽): names are not dictionary words.
 * - `name`: two to five capitalised Latin words (`Lex Fridman`, `Jean-Luc Picard`), or a
 *   Han name (a common surname then one or two characters, characters the dictionary
 *   does not join into a word, or a transliteration with `·`).
 * - `loose`: a single capitalised Latin word (`Lex`) or a Han dictionary word short
 *   enough to be a nickname (大卫, 小王): a speaker only where the body is a dialogue.
 */

export type LabelShape = "placeholder" | "name" | "loose";

/** Labels a speech-recognition or diarisation tool writes: unmistakably a speaker, never a name. */
const DIARISATION = /^(?:speaker[ _-]?\d{1,3}|spk[ _-]?\d{1,3}|sp\d{1,5}|[A-Za-z]{1,4}\d{1,4}(?:[A-Za-z]{1,3}\d{1,4})?|(?:发言人|说话人|讲话人|讲者|发言者)\s*[\dA-Za-z一二三四五六七八九十]{1,3}|speaker\s*[A-Z]|[A-Z]|@|unknown(?: speaker)?|未知|匿名)$/i;
/** Role words: a speaker in a dialogue (`主持人：`, `Host:`), but also a field label in a show's notes (`**Guest**: …`). */
const ROLE = /^(?:发言人|發言人|说话人|說話人|主持人|主持|主播|嘉宾|嘉賓|嘉宾\s*\d|观众|觀眾|听众|聽眾|现场观众|提问者|提問者|记者|記者|采访者|採訪者|受访者|受訪者|同学|同學|学员|學員|学生|學生|老师|老師|主讲人|主講人|主讲|主講|助教|旁白|翻译|翻譯|host|co-?host|guest|interviewer|interviewee|moderator|audience|narrator|announcer|experimenter|participant|researcher|facilitator|presenter|caller|operator|customer|user|assistant|agent|bot|student|teacher|instructor|q|a|问|答)$/i;

/** Field labels that introduce an editor's note, a definition or a link, never a speaker. */
const LABELS = new Set([
  // Chinese
  "重点", "要点", "注", "注意", "备注", "提示", "说明", "总结", "小结", "结论", "结语", "核心", "关键", "摘要", "标题",
  "链接", "来源", "时间", "日期", "作者", "主题", "例如", "比如", "举例", "背景", "问题", "观点", "金句", "引用", "补充",
  "更新", "编者按", "按", "评论", "方案", "思路", "方法", "代码", "答案", "原因", "分析", "步骤", "定义", "示例", "例子",
  "结果", "目标", "题目", "描述", "输入", "输出", "解释", "提问", "回答", "优点", "缺点", "特点", "作用", "原理", "用法",
  "区别", "前提", "条件", "场景", "现象", "影响", "建议", "参考", "地址", "官网", "网址", "下载", "邮箱", "电话", "微信",
  "公众号", "版本", "状态", "类型", "分类", "标签", "优先级", "负责人", "进度", "难度", "思考", "感想", "启发", "收获",
  "疑问", "待办", "引言", "前言", "导读", "简介", "介绍", "概述", "特性", "功能", "应用", "案例", "论点", "论据", "证据",
  "结构", "格式", "语法", "参数", "返回值", "返回", "注释", "用途", "目的", "意义", "现状", "趋势", "风险", "机会", "挑战",
  "对策", "措施", "行动", "计划", "安排", "地点", "人物", "事件", "经过", "感悟", "体会", "评价", "推荐", "理由", "亮点",
  "难点", "考点", "易错点", "知识点", "要求", "规则", "约束", "提纲", "大纲", "目录", "附录", "附", "译注", "译者注", "原文",
  "译文", "翻译", "释义", "出处", "题解", "解法", "解答", "证明", "推论", "引理", "定理", "性质", "公式", "备忘", "警告", "危险",
  "错误", "异常", "日志", "现场", "节目", "本期", "时长", "播放", "收听", "订阅", "赞助", "广告", "嘉宾介绍", "主持人介绍",
  // English
  "note", "notes", "nb", "summary", "source", "sources", "update", "updated", "warning", "tip", "tips", "todo", "ps", "example",
  "examples", "question", "answer", "solution", "problem", "step", "result", "results", "output", "input", "error", "explanation",
  "definition", "reference", "references", "hint", "goal", "goals", "status", "date", "time", "location", "author", "title", "tags",
  "tag", "type", "description", "conclusion", "pros", "cons", "important", "caution", "info", "links", "link", "website", "web",
  "homepage", "twitter", "x", "youtube", "spotify", "apple podcasts", "apple", "google podcasts", "podcast", "podcasts", "rss",
  "instagram", "facebook", "linkedin", "github", "tiktok", "patreon", "discord", "substack", "newsletter", "email", "mail",
  "subscribe", "sponsor", "sponsors", "support", "transcript", "timestamps", "chapters", "outline", "contents", "episode",
  "show notes", "resources", "book", "books", "paper", "papers", "video", "audio", "url", "approach", "complexity", "idea",
  "usage", "syntax", "returns", "return", "params", "parameters", "args", "arguments", "default", "see also", "related",
  "background", "context", "motivation", "overview", "intro", "introduction", "abstract", "key", "takeaway", "takeaways",
  "quote", "fix", "bug", "feature", "features", "issue", "issues", "update", "edit", "disclaimer", "credits", "license",
  "version", "platform", "requirements", "steps", "method", "methods", "code", "test", "tests", "case", "cases", "proof",
  "theorem", "lemma", "claim", "remark", "observation", "exercise", "task", "tasks", "deadline", "owner", "priority",
]);

/** Han labels ending in one of these words name a field, not a person (…解决方案, 时间复杂度, 本文件论点). */
const FIELD_SUFFIX = /(?:方案|问题|原因|方法|思路|步骤|结论|总结|分析|论点|说明|定义|示例|结果|目标|特点|优点|缺点|作用|原理|区别|注意|建议|要点|重点|复杂度|代码|题目|描述|输入|输出|解释|答案|场景|条件|前提|影响|现象|功能|特性|版本|状态|类型|地址|链接|时间|日期|介绍|简介|信息|内容|部分|方式|思想|概念|关系|流程|过程|机制|策略|模式|配置|命令|参数|接口|函数|变量|文件|目录|数据|位宽|周期|频率|电压|电流|模块|寄存器)$/;

/** The most common Chinese surnames (about nine in ten people), and the compound ones. */
const SURNAMES = new Set(Array.from("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"));
const COMPOUND_SURNAMES = /^(?:欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|轩辕|令狐|钟离|闾丘|端木|独孤|南宫|西门|百里|呼延|澹台|公冶|太史|申屠)/;

const HAN = /^\p{Script=Han}+$/u;
const HAN_TRANSLITERATION = /^\p{Script=Han}{1,8}(?:[·•・]\p{Script=Han}{1,8}){1,3}$/u;
/** A word of a name: `Lex`, `O'Brien`, `McQuaid`, `Jean-Luc`, an initial `J.`, a particle; in capitals only beside another (`LEX FRIDMAN`). */
const LATIN_TOKEN = /^(?:\p{Lu}\p{Ll}*(?:['’]\p{Lu}?\p{Ll}+|\p{Lu}\p{Ll}+)*(?:-\p{Lu}\p{Ll}+)*|(?:\p{Lu}\.){1,3}|\p{Lu}{2,}|de|van|von|der|den|da|di|du|le|la|del|della|bin|al|el|ibn|dos|das|y)$/u;
/** Contractions are words of a sentence, not of a name (`I'm`, `Don't`). */
const CONTRACTION = /['’](?:m|s|re|ve|ll|d|t)$/i;

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
/** ICU's Chinese word segmentation of a short label (Intl.Segmenter, the dictionary browsers use). */
function hanWords(label: string): string[] {
  return [...segmenter.segment(label)].filter((s) => s.isWordLike).map((s) => s.segment);
}

/** A diarisation placeholder or a role word: a speaker inside its note, never a person page. */
export function isPlaceholderSpeaker(label: string): boolean {
  const l = label.trim();
  // `同學（Speaker 3）`: a role around a diarisation label.
  const wrapped = /^(.+?)[（(]([^）)]+)[）)]$/.exec(l);
  if (wrapped) return isPlaceholderSpeaker(wrapped[1]!) || isPlaceholderSpeaker(wrapped[2]!);
  const words = l.split(/\s+/);
  // A capitalised label made with a word no name is made of: `Computerized Female Voice`, `Audience Member`.
  const titled = words.length <= 4 && words.every((w) => /^\p{Lu}/u.test(w));
  return DIARISATION.test(l) || ROLE.test(l) || (titled && words.some((w) => NOT_NAME_WORDS.has(w.toLowerCase())));
}

/** Words no personal name is made of, in labels such as `Computerized Female Voice`, `Audience Member`, `Multiple Speakers`. */
const NOT_NAME_WORDS = new Set(["voice", "voiceover", "female", "male", "computer", "computerized", "automated", "robot", "narrator", "announcer", "audience", "crowd", "member", "members", "music", "video", "clip", "audio", "recording", "unknown", "unidentified", "multiple", "speakers", "several", "all", "both", "everyone", "group", "man", "woman", "child", "caller", "reporter", "presenter", "interpreter", "translator", "moderator", "panelist", "participant", "participants", "student", "students", "teacher", "host", "guest", "hosts", "guests"]);

/** A diarisation label (`SPEAKER_00`, `发言人 1`, `sp3000`): a speaker without further evidence. */
export function isDiarisationLabel(label: string): boolean {
  const l = label.trim();
  const wrapped = /^(.+?)[（(]([^）)]+)[）)]$/.exec(l);
  return DIARISATION.test(l) || (wrapped !== null && DIARISATION.test(wrapped[2]!.trim()));
}

/** True for field labels (重点, 解决方案, Solution, Spotify …): never a speaker. */
export function isFieldLabel(label: string): boolean {
  const l = label.trim().toLowerCase();
  return LABELS.has(l) || (HAN.test(l) && Array.from(l).length >= 3 && FIELD_SUFFIX.test(l));
}

/** A name with its title, as transcripts label people: 如性法師, 张老师, 王总, 李博士, 光中师兄. */
const HONORIFIC = /^(\p{Script=Han}{1,3}?)(?:法师|法師|老师|老師|先生|女士|小姐|博士|教授|师兄|師兄|师姐|師姐|师父|師父|律师|律師|医生|醫生|总|總|董|局长|局長|主任|院士|同学|同學)$/u;

function hanShape(label: string): LabelShape | null {
  if (HAN_TRANSLITERATION.test(label)) return "name";
  if (!HAN.test(label)) return null;
  // Reported speech is not a name: 他就说, 我问, 她表示; nor is a pronoun.
  if (/^(?:我|你|您|他|她|它|咱|这|這|那|谁|誰|大家|有人)/u.test(label) || /(?:说|說|道|讲|講|问|問|答|表示|认为|認為|指出|称|稱|回答|提到|解释|解釋)$/u.test(label)) return null;
  const titled = HONORIFIC.exec(label);
  if (titled && !isFieldLabel(titled[1]!)) return "name";
  const chars = Array.from(label);
  if (chars.length < 2 || chars.length > 4) return null;
  const words = hanWords(label);
  if (words.length === 1) return chars.length <= 3 ? "loose" : null; // one dictionary word: 大卫, 小王 (or 解决方案)
  const compound = COMPOUND_SURNAMES.test(label);
  // A name is cut surname|given name (王|小明); a label starts with a word (方法|一, 步骤|二).
  if (Array.from(words[0]!).length >= 2 && !compound) return null;
  if (chars.length === 4 && !compound) return null;
  // A surname, then a given name of one or two characters (王|小明, 欧阳|娜娜) …
  const rest = label.slice(compound ? 2 : 1);
  if ((compound || SURNAMES.has(chars[0]!)) && Array.from(rest).length >= 1 && Array.from(rest).length <= 2) return "name";
  // … or characters the dictionary does not join into words (红|君).
  if (words.every((w) => Array.from(w).length === 1)) return "name";
  return null;
}

function latinShape(label: string): LabelShape | null {
  const tokens = label.split(/\s+/);
  if (tokens.length > 5 || label.length > 40) return null;
  if (!tokens.every((t) => LATIN_TOKEN.test(t) && !CONTRACTION.test(t))) return null;
  // Capitals only as a whole: `LEX FRIDMAN`, not `Oh OK`.
  const caps = tokens.filter((t) => /^\p{Lu}{2,}$/u.test(t)).length;
  if (caps && caps !== tokens.length) return null;
  if (!/^\p{Lu}/u.test(tokens[0]!)) return null;
  const capitalised = tokens.filter((t) => /^\p{Lu}/u.test(t) && t.length >= 2);
  if (capitalised.length === 0) return null;
  // One word in capitals is an acronym or a shouted label (NOTE, FAQ); a name in capitals has two.
  if (tokens.length === 1) return /^\p{Lu}\p{Ll}+(?:['’-]?\p{Lu}?\p{Ll}+)*$|^(?:\p{Lu}\.){2,3}$/u.test(tokens[0]!) ? "loose" : null;
  return "name";
}

/** Short, no sentence punctuation, not a field label: enough for a label that comes with a time. */
export function isPlausibleLabel(label: string): boolean {
  const l = label.trim();
  return l.length > 0 && l.length <= 40 && l.split(/\s+/).length <= 6 && !/[,，。!！?？;；"“”]/.test(l) && !isFieldLabel(l) && !/^https?:/i.test(l);
}

/**
 * The shape of a speaker label (see the header), or null when it is not a speaker.
 * `label` is the name part only: a role in brackets and the colon are already cut off.
 */
export function labelShape(rawLabel: string): LabelShape | null {
  const label = rawLabel.trim().replace(/\s+/g, " ");
  if (!label || label.length > 40) return null;
  if (isPlaceholderSpeaker(label)) return "placeholder";
  if (isFieldLabel(label)) return null;
  if (/[\d,，。.!！?？;；:：、"“”'‘’()（）\[\]【】<>{}#*_=+/\\|~`$%^&]/u.test(label.replace(/(?<=\p{L})[.'’](?=\p{L}|\s|$)/gu, ""))) return null;
  if (/\p{Script=Han}/u.test(label)) return hanShape(label);
  if (/^[\p{Script=Latin}\s.'’-]+$/u.test(label)) return latinShape(label);
  return null;
}
