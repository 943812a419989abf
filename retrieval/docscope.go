package retrieval

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// A question may name the statement it asks about: "according to the
// trade statement", "二战胜利80周年声明说联合国哪年成立", "в заявлении о
// торговле". The statement's name is where to look, not what to look for:
// searched as words, it matched the paragraphs that merely name the
// statement ("发表了《…的声明》", 1.5) and its opening line (W1) better than
// the paragraph with the answer. So the name is taken out of the query and
// the search keeps to that statement (and to the declaration, when the
// question names it too). A statement is named by a keyword of its pack
// entry (corpus.Document.Keywords) next to the word for statement:
// before it, or in English and Russian also just after it ("statement on
// trade"). Questions about statements as such ("哪些声明", "which
// statements were adopted", "какие заявления") are plural and name none.

// docNamer finds the statements a question names. Its zero value names
// none.
type docNamer struct {
	statements []namedDoc
	// decl are the declarations, by pack.
	decl map[string]string
}

// namedDoc is a statement with its keywords, folded (Chinese) or in lower
// case, split into words (English, Russian: each a prefix of a word).
type namedDoc struct {
	pack, key string
	zh        []string
	words     [][]string
}

// docRef is a document a question names.
type docRef struct{ pack, key string }

// Windows around the word for statement: how far before it a Chinese
// keyword may end (runes: "二战胜利80周年声明"), and how many words before
// and after it an English or Russian keyword may stand ("the WWII victory
// statement", "statement on the 80th anniversary of the victory"), within
// one clause (clauseBreaks).
const (
	zhNameRunes  = 8
	wordsBefore  = 2
	wordsAfter   = 6
	zhStatement  = "声明"
	zhDeclWord   = "宣言"
	enStatement  = "statement"
	enDeclWord   = "declaration"
	ruDeclPrefix = "деклараци"
)

// connectors are the words that open a statement's name after the word
// for statement ("statement on trade", "заявление к 80-летию Победы"); a
// keyword further on, after a verb ("the statement wants the WTO to …"),
// is what the question asks about, not the name.
var connectors = map[string]bool{
	"on": true, "about": true, "of": true, "for": true, "marking": true, "in": true, "regarding": true,
	"о": true, "об": true, "к": true, "по": true, "в": true, "ко": true,
}

// clauseBreaks end a clause: a keyword beyond one is not in the name.
const clauseBreaks = ",;:.!?，；：。！？—–"

// ruStatement are the singular forms of заявление but the genitive, which
// is also the plural of "какие заявления".
var ruStatement = []string{"заявление", "заявлению", "заявлением", "заявлении"}

// zhListBefore are words before 声明 that ask which statements there are.
var zhListBefore = []string{"哪些", "哪几", "几份", "几项", "什么", "各项", "多少"}

// newDocNamer reads the statements' keywords and the declarations of packs.
func newDocNamer(packs []corpus.Pack) docNamer {
	n := docNamer{decl: map[string]string{}}
	for _, p := range packs {
		for _, d := range p.Documents {
			if d.Kind == "declaration" {
				n.decl[p.ID] = d.Key
				continue
			}
			nd := namedDoc{pack: p.ID, key: d.Key}
			for tag, ws := range d.Keywords {
				for _, w := range ws {
					if corpus.Lang(tag).IsChinese() {
						nd.zh = append(nd.zh, corpus.Fold(w))
					} else {
						nd.words = append(nd.words, strings.Fields(strings.ToLower(w)))
					}
				}
			}
			if len(nd.zh)+len(nd.words) > 0 {
				n.statements = append(n.statements, nd)
			}
		}
	}
	return n
}

// find returns the documents q names and q without the names; nil and q
// when it names no statement.
func (n docNamer) find(q string) ([]docRef, string) {
	if len(n.statements) == 0 {
		return nil, q
	}
	// Most questions name no statement: look for the word before
	// folding or splitting the question (every search calls find). Its
	// first letter may be a capital.
	if corpus.HasHan(q) {
		if !strings.Contains(q, zhStatement) && !strings.Contains(q, "聲明") || adopts(corpus.Fold(q)) {
			return nil, q
		}
		return n.findZh(q)
	}
	if !strings.Contains(q, "tatement") && !strings.Contains(q, "аявлени") || adopts(strings.ToLower(q)) {
		return nil, q
	}
	return n.findWords(q)
}

// adoptionCues ask whether or when a statement was made ("did the summit
// adopt a statement on trade", "是否发表了二战声明", "приняли ли заявление"):
// the declaration records that (1.5, 3.5), not the statement itself, so
// such a question is searched as asked. Han cues are folded; the others
// are lower-case prefixes of words.
var adoptionCues = []string{
	"发表", "通过了", "发布", "出台", "签署",
	"adopt", "issue", "put out", "publish", "release", "approve",
	"принял", "приняли", "принят", "принято", "издал", "издали", "опубликова", "выпустил",
}

// adopts reports whether a question (folded, or lower-case) asks whether
// or when a statement was made.
func adopts(q string) bool {
	for _, c := range adoptionCues {
		if strings.Contains(q, c) {
			return true
		}
	}
	return false
}

// findZh is find for a Chinese question: a keyword ending at most
// zhNameRunes before 声明, with no punctuation between and no "哪些" or
// "什么" asking for statements as such; the rest is folded.
func (n docNamer) findZh(q string) ([]docRef, string) {
	f := corpus.Fold(q)
	var refs []docRef
	rest := f
	for from := 0; ; {
		i := strings.Index(rest[from:], zhStatement)
		if i < 0 {
			break
		}
		i += from
		before := rest[:i]
		start := -1
		var ref docRef
		for _, d := range n.statements {
			for _, k := range d.zh {
				j := strings.LastIndex(before, k)
				if j < 0 || utf8.RuneCountInString(before[j+len(k):]) > zhNameRunes || hasPunct(before[j+len(k):]) {
					continue
				}
				if start < 0 || j < start {
					start, ref = j, docRef{d.pack, d.key}
				}
			}
		}
		if start < 0 || listBefore(before[max(0, start-len("哪几个")):start]) || listBefore(before[start:]) {
			from = i + len(zhStatement)
			continue
		}
		refs = appendRef(refs, ref)
		rest = rest[:start] + " " + rest[i+len(zhStatement):]
		from = start
	}
	if len(refs) == 0 {
		return nil, q
	}
	return n.withDecl(refs, strings.Contains(rest, zhDeclWord)), rest
}

// word is a word of a question and where it is.
type word struct {
	lower      string
	start, end int
}

// findWords is find for an English or Russian question: a keyword up to
// wordsBefore words before the word for statement, or up to wordsAfter
// after it when a connector follows it, in one clause.
func (n docNamer) findWords(q string) ([]docRef, string) {
	var ws []word
	for i, j := range corpus.Runs(q, isQuestionWordRune) {
		ws = append(ws, word{strings.ToLower(q[i:j]), i, j})
	}
	var refs []docRef
	type span struct{ start, end int }
	var cut []span
	decl := false
	for i, w := range ws {
		if w.lower == enDeclWord || strings.HasPrefix(w.lower, ruDeclPrefix) {
			decl = true
		}
		if w.lower != enStatement && !isRuStatement(w.lower) {
			continue
		}
		first, last := i, i
		var ref docRef
		for _, d := range n.statements {
			for _, k := range d.words {
				after := i + 1
				if i+1 < len(ws) && connectors[ws[i+1].lower] {
					after = i + wordsAfter
				}
				for s := max(0, i-wordsBefore-len(k)+1); s <= min(len(ws)-len(k), after); s++ {
					if s <= i && i < s+len(k) || !wordsMatch(ws[s:s+len(k)], k) {
						continue
					}
					if a, b := min(s, i), max(s+len(k)-1, i); strings.ContainsAny(q[ws[a].start:ws[b].end], clauseBreaks) {
						// "ВТО, судя по заявлению": a clause apart.
						continue
					}
					if s < first || s+len(k)-1 > last {
						ref = docRef{d.pack, d.key}
						first, last = min(first, s), max(last, s+len(k)-1)
					}
				}
			}
		}
		if ref.key == "" {
			continue
		}
		refs = appendRef(refs, ref)
		cut = append(cut, span{ws[first].start, ws[last].end})
	}
	if len(refs) == 0 {
		return nil, q
	}
	var b strings.Builder
	at := 0
	for _, s := range cut {
		if s.start < at {
			s.start = at
		}
		b.WriteString(q[at:s.start])
		b.WriteByte(' ')
		at = max(at, s.end)
	}
	b.WriteString(q[at:])
	return n.withDecl(refs, decl), b.String()
}

// withDecl adds to refs the declaration of each pack they name when the
// question names the declaration too ("the declaration and the WWII
// statement").
func (n docNamer) withDecl(refs []docRef, decl bool) []docRef {
	if !decl {
		return refs
	}
	for _, r := range refs {
		if k, ok := n.decl[r.pack]; ok {
			refs = appendRef(refs, docRef{r.pack, k})
		}
	}
	return refs
}

// namesDeclarationOnly reports whether q names the declaration ("宣言",
// "the declaration", "в декларации") and no statement, not even by the
// word alone ("宣言和声明").
func namesDeclarationOnly(q string) bool {
	if corpus.HasHan(q) {
		f := corpus.Fold(q)
		return strings.Contains(f, zhDeclWord) && !strings.Contains(f, zhStatement)
	}
	l := strings.ToLower(q)
	return (strings.Contains(l, enDeclWord) || strings.Contains(l, ruDeclPrefix)) &&
		!strings.Contains(l, enStatement) && !strings.Contains(l, "заявлени")
}

// preferDeclaration moves the best of the declaration's paragraphs first
// when retrieval put a statement's first for a question that names the
// declaration and no statement; docs (the items' passage indexes) is
// reordered alike. The statements repeat the declaration's themes (the
// UN, the war, the trading system) in other words, and a question about
// what the declaration says is asked of it: on the forty-three suites, of
// the answerable questions naming only the declaration, 1,449 of 1,461
// have their answer there, and a statement's paragraph led 19 answers,
// two of them rightly.
func (x *Index) preferDeclaration(items []Result, docs []int32) {
	isDecl := func(p corpus.Passage) bool {
		k, ok := x.docs.decl[p.Pack]
		return ok && p.Doc == k
	}
	if len(items) == 0 || isDecl(items[0].Passage) {
		return
	}
	i := slices.IndexFunc(items, func(r Result) bool { return isDecl(r.Passage) })
	if i <= 0 {
		return
	}
	first := items[i]
	copy(items[1:i+1], items[:i])
	items[0] = first
	if i < len(docs) {
		d := docs[i]
		copy(docs[1:i+1], docs[:i])
		docs[0] = d
	}
}

// docMask returns which passages belong to the documents refs name.
func (x *Index) docMask(refs []docRef) []bool {
	in := make([]bool, len(x.passages))
	for i, p := range x.passages {
		for _, r := range refs {
			if p.Pack == r.pack && p.Doc == r.key {
				in[i] = true
			}
		}
	}
	return in
}

func appendRef(refs []docRef, r docRef) []docRef {
	for _, x := range refs {
		if x == r {
			return refs
		}
	}
	return append(refs, r)
}

func wordsMatch(ws []word, k []string) bool {
	for i, p := range k {
		if !strings.HasPrefix(ws[i].lower, p) {
			return false
		}
	}
	return true
}

func isRuStatement(w string) bool {
	for _, f := range ruStatement {
		if w == f {
			return true
		}
	}
	return false
}

func isQuestionWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-'
}

func hasPunct(s string) bool {
	for _, r := range s {
		if unicode.IsPunct(r) || unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

func listBefore(s string) bool {
	for _, c := range zhListBefore {
		if strings.Contains(s, c) {
			return true
		}
	}
	return false
}
