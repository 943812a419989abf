package importer

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/declbot/declbot/corpus"
)

// owner records which document a unit went to; -1 is none yet.
const unowned = -1

// docDraft is a document being assembled.
type docDraft struct {
	statement bool
	prefix    string
	title     string // in the file's script; "" when the text has none
	titleLine int
	units     []int // indexes of its paragraphs, in order
	sections  []int // for the declaration: each paragraph's section
	// headingLine is the line of each section's heading.
	headingLine map[int]int
	// signature is the index in units where the signature block starts,
	// or -1.
	signature  int
	date       string
	place      string
	first      int // first and last line
	last       int
	truncation string // the page break the text stops at, if any
	truncLine  int
}

// assembly is the state of one import.
type assembly struct {
	name   string
	us     []unit
	owner  []int
	used   []bool // a structural unit read for metadata (a title, a date)
	docs   []*docDraft
	report Report
	hant   bool // the file is in traditional script
}

// assemble finds the declaration and the statements among the units.
func assemble(name string, us []unit, opts Options) (*assembly, error) {
	a := &assembly{name: name, us: us, owner: make([]int, len(us)), used: make([]bool, len(us))}
	for i := range a.owner {
		a.owner[i] = unowned
	}
	var all strings.Builder
	for _, u := range us {
		all.WriteString(u.text)
	}
	a.hant = corpus.DetectScript(all.String()) == corpus.Hant

	decl, err := a.declaration()
	if err != nil {
		return nil, err
	}
	a.docs = append(a.docs, decl)
	if err := a.statements(opts.Prefixes); err != nil {
		return nil, err
	}
	a.unplaced()
	return a, nil
}

func (a *assembly) isPara(i int) bool {
	u := a.us[i]
	return u.kind == kText && !u.news && !u.caption && a.owner[i] == unowned
}

// declaration finds section 一 and the sections that follow it in order,
// the opening paragraphs before it and the signature block after the last.
func (a *assembly) declaration() (*docDraft, error) {
	start := -1
	for i, u := range a.us {
		if u.kind == kHeading && u.l.sec == 1 && !u.news {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("%s: %w", a.name, errNoSections)
	}
	d := &docDraft{signature: -1, first: a.us[start].first, headingLine: map[int]int{}}
	owner := len(a.docs)

	// The opening: paragraphs right before 一 that end a sentence, back to
	// a preamble marker, a title or anything else that is not text.
	var opening []int
	for i := start - 1; i >= 0; i-- {
		if !a.isPara(i) || a.us[i].listItem || a.us[i].signature || !rx().terminalRE.MatchString(a.us[i].text) {
			break
		}
		opening = append(opening, i)
	}
	slices.Reverse(opening)
	for _, i := range opening {
		a.owner[i] = owner
		d.units = append(d.units, i)
		d.sections = append(d.sections, 0)
		d.first = min(d.first, a.us[i].first)
	}

	sec := 0
	end := len(a.us)
	sawSignature := false
loop:
	for i := start; i < len(a.us); i++ {
		u := a.us[i]
		switch {
		case u.kind == kHeading:
			if sawSignature || u.l.sec != sec+1 {
				end = i
				break loop
			}
			if u.l.sec > 9 {
				return nil, fmt.Errorf("%s: line %d: section %s: a pack numbers sections 1 to 9 (IDs S.N)", a.name, u.first, u.l.numeral)
			}
			sec = u.l.sec
			a.owner[i] = owner
			d.headingLine[sec] = u.first
			if r := u.l.rest; r != "" && (utf8.RuneCountInString(r) > 30 || rx().terminalRE.MatchString(r)) {
				// 一、世界政治……变革。: the numeral heads the first paragraph.
				a.us[i].text = cleanText(r)
				d.units = append(d.units, i)
				d.sections = append(d.sections, sec)
			}
		case u.kind == kText && u.news:
			end = i
			break loop
		case u.kind == kText && u.caption:
			end = i
			break loop
		case u.kind == kText:
			if sawSignature && !u.signature {
				end = i
				break loop
			}
			if u.signature {
				if !sawSignature {
					d.signature = len(d.units)
				}
				sawSignature = true
			}
			a.owner[i] = owner
			d.units = append(d.units, i)
			d.sections = append(d.sections, sec)
		case u.kind == kPageMark:
			d.truncation, d.truncLine = u.text, u.first
			end = i
			break loop
		default: // a title, a date, a news agency line: another text begins
			end = i
			break loop
		}
	}
	// A lone line that looks like a signatory but is followed by running
	// text was already ruled out above; a signature block in the middle of
	// a section is not one.
	if d.signature >= 0 {
		for _, i := range d.units[d.signature:] {
			if !a.us[i].signature {
				d.signature = -1
				break
			}
		}
	}
	if len(d.units) == 0 {
		return nil, fmt.Errorf("%s: line %d: section %s has no text under it: %w", a.name, a.us[start].first, a.us[start].l.numeral, errNoSections)
	}
	d.last = a.us[d.units[len(d.units)-1]].last
	for i := start; i < end; i++ {
		d.last = max(d.last, a.us[i].last)
	}
	if end < len(a.us) && a.us[end].kind == kDate && a.owner[end] == unowned {
		// 2025年9月1日于天津 under the signatures.
		d.date, d.place = a.us[end].l.date, a.us[end].l.place
		a.used[end] = true
	}

	// Its title: a 宣言 title line anywhere, else the quoted name in a
	// preamble marker (「天津宣言」全文如下：).
	for i, u := range a.us {
		if u.kind == kTitle && !u.l.statement {
			d.title, d.titleLine = u.l.title, u.first
			a.used[i] = true
			break
		}
	}
	if d.title == "" {
		for i, u := range a.us[:start] {
			if u.kind == kMarker {
				if m := rx().quotedDeclRE.FindStringSubmatch(noSpace(u.text)); m != nil {
					d.title, d.titleLine = m[1], u.first
					a.used[i] = true
				}
			}
		}
	}
	return d, nil
}

// statements makes a document of every statement title and the text that
// goes with it: before the title when a date line sits between them (a
// newspaper prints the headline after the text), else after it.
func (a *assembly) statements(prefixes []string) error {
	n := 0
	for ti, u := range a.us {
		if u.kind != kTitle || !u.l.statement {
			continue
		}
		d := &docDraft{statement: true, signature: -1, title: u.l.title, titleLine: u.first}
		body, date := a.bodyBefore(ti)
		if len(body) == 0 {
			body, date = a.bodyAfter(ti)
		}
		if len(body) == 0 {
			continue // reported as an unplaced title
		}
		if n >= len(prefixes) && len(prefixes) > 0 {
			return fmt.Errorf("%s: line %d: statement %d (%s) has no prefix: --prefixes gives %d (%s); give one letter for each statement",
				a.name, u.first, n+1, excerpt(u.l.title, 30), len(prefixes), strings.Join(prefixes, ","))
		}
		if len(prefixes) == 0 && n >= 26 {
			return fmt.Errorf("%s: line %d: more than 26 statements", a.name, u.first)
		}
		if n < len(prefixes) {
			d.prefix = prefixes[n]
		} else {
			d.prefix = string(rune('A' + n))
		}
		n++
		a.used[ti] = true
		owner := len(a.docs)
		for _, i := range body {
			a.owner[i] = owner
		}
		d.units = body
		d.first = min(u.first, a.us[body[0]].first)
		d.last = max(u.last, a.us[body[len(body)-1]].last)
		if date >= 0 {
			d.date, d.place = a.us[date].l.date, a.us[date].l.place
			a.used[date] = true
			d.first = min(d.first, a.us[date].first)
			d.last = max(d.last, a.us[date].last)
		}
		a.docs = append(a.docs, d)
	}
	if len(prefixes) > n {
		a.report.Notes = append(a.report.Notes, fmt.Sprintf("--prefixes gives %d letters but the file has %d statements; %s not used",
			len(prefixes), n, strings.Join(prefixes[n:], ",")))
	}
	return nil
}

// bodyBefore returns the paragraphs of a statement whose title at ti
// follows its text and date line (seed 000), and the date line's index.
func (a *assembly) bodyBefore(ti int) ([]int, int) {
	i := ti - 1
	for i >= 0 && a.us[i].kind == kSource {
		i--
	}
	if i < 0 || a.us[i].kind != kDate || a.owner[i] != unowned || a.used[i] {
		return nil, -1
	}
	date := i
	var body []int
	for i--; i >= 0 && a.isPara(i) && !a.us[i].signature; i-- {
		body = append(body, i)
	}
	slices.Reverse(body)
	return body, date
}

// bodyAfter returns the paragraphs that follow a statement title, up to
// the next line that is not running text, and the date line after the
// title or after the text, if any.
func (a *assembly) bodyAfter(ti int) ([]int, int) {
	date := -1
	i := ti + 1
	if i < len(a.us) && a.us[i].kind == kDate {
		date = i
		i++
	}
	var body []int
	for ; i < len(a.us) && a.isPara(i) && !a.us[i].signature; i++ {
		body = append(body, i)
	}
	for i < len(a.us) && a.us[i].kind == kSource {
		i++
	}
	if date < 0 && len(body) > 0 && i < len(a.us) && a.us[i].kind == kDate && a.owner[i] == unowned && !a.used[i] {
		date = i
	}
	return body, date
}

// unplaced reports every unit that went to no document and was not read
// for metadata.
func (a *assembly) unplaced() {
	firstDoc := a.docs[0].first
	for i, u := range a.us {
		if a.owner[i] != unowned || a.used[i] {
			continue
		}
		var why string
		switch {
		case u.kind == kPageMark:
			why = "page break: the text goes on in a part of the page that is not in this file"
		case u.kind == kSource:
			why = "news agency line"
		case u.kind == kMarker:
			why = "end of a reporter's preamble"
		case u.kind == kTitle:
			why = "title with no text found for it"
		case u.kind == kDate:
			why = "date line that belongs to no document"
		case u.kind == kHeading:
			why = "section heading out of sequence"
		case u.kind == kMDHeading:
			why = "heading that is not a section"
		case u.headline:
			why = "headline of a news item"
		case u.news:
			why = "news item"
		case u.caption:
			why = "photo caption"
		case u.listItem:
			why = "list item outside any document"
		case u.first < firstDoc:
			why = "text before the declaration"
		default:
			why = "text outside any document"
		}
		// Consecutive units with the same reason are one entry: a news item
		// is one finding, not forty lines.
		if n := len(a.report.Unplaced); n > 0 {
			last := &a.report.Unplaced[n-1]
			if last.Why == why && (u.news || u.listItem) && last.toUnit == i-1 {
				last.LastLine = u.last
				last.toUnit = i
				continue
			}
		}
		a.report.Unplaced = append(a.report.Unplaced, Unplaced{Line: u.first, LastLine: u.last, Why: why, Text: excerpt(u.text, 40), toUnit: i})
	}
}

// pack builds pack.json, the passages and the report.
func (a *assembly) pack(id string) *Pack {
	p := &Pack{Report: a.report}
	p.Meta.ID = id
	p.Report.ID = id
	p.Report.Script = "hans"
	if a.hant {
		p.Report.Script = "hant"
	}
	both := func(s string) (string, string) {
		if a.hant {
			return corpus.ToHans(s), hantQuotes.Replace(s)
		}
		return hansQuotes.Replace(s), corpus.ToHant(s)
	}
	langs := func(s string) map[string]string {
		hans, hant := both(s)
		return map[string]string{"zh-Hans": hans, "zh-Hant": hant}
	}

	decl := a.docs[0]
	// Date and place: the opening paragraph says them (……于2025年9月1日在中国
	// 天津举行……), else the date line under the declaration or a statement.
	date, place, dateLine := "", "", 0
	for _, i := range decl.units {
		if m := rx().openingDateRE.FindStringSubmatch(corpus.ToHans(a.us[i].text)); m != nil {
			date, place, dateLine = fmt.Sprintf("%s-%02s-%02s", m[1], m[2], m[3]), stripCountry(m[4]), a.us[i].first
			break
		}
	}
	if place == "" {
		// A reporter's preamble may say it: 上海合作组织在中国天津举行元首理事会会议.
		for _, u := range a.us {
			if m := rx().heldRE.FindStringSubmatch(corpus.ToHans(u.text)); m != nil {
				place = stripCountry(m[1])
				break
			}
		}
	}
	for _, d := range a.docs {
		if date == "" && d.date != "" {
			date, dateLine = d.date, d.first
		}
		if place == "" && d.place != "" {
			place = corpus.ToHans(d.place)
		}
	}
	if date != "" {
		if _, err := time.Parse("2006-01-02", date); err != nil {
			p.Report.Notes = append(p.Report.Notes, fmt.Sprintf("line %d: %s is not a date; pack.json has none", dateLine, date))
			date = ""
		}
	}
	p.Meta.Date = date
	if place != "" {
		p.Meta.Place = map[string]string{"zh-Hans": place, "zh-Hant": corpus.ToHant(place)}
	}
	if date == "" {
		p.Report.Notes = append(p.Report.Notes, "no date found in the text: add \"date\": \"YYYY-MM-DD\" to pack.json")
	}
	if place == "" {
		p.Report.Notes = append(p.Report.Notes, "no place found in the text: add \"place\" to pack.json")
	}

	for di, d := range a.docs {
		doc := Document{Kind: "declaration", Key: "declaration"}
		title := d.title
		short := ""
		if !d.statement {
			if title == "" {
				title = place + "宣言"
				if place == "" {
					title = "宣言（" + id + "）"
				}
				if a.hant {
					title = corpus.ToHant(title)
				}
				p.Report.Notes = append(p.Report.Notes, fmt.Sprintf("the declaration's title is not in the text: called it %s; edit pack.json to change it", title))
			}
			short = title
			if place != "" && strings.Contains(corpus.ToHans(title), place+"宣言") {
				short = place + "宣言"
				if a.hant {
					short = corpus.ToHant(short)
				}
			}
		} else {
			doc.Kind = "statement"
			doc.Prefix = d.prefix
			doc.Key = "statement_" + strings.ToLower(d.prefix)
			short = shortStatement(title)
		}
		doc.Title = langs(title)
		doc.Short = langs(short)
		p.Meta.Documents = append(p.Meta.Documents, doc)

		dr := DocReport{Key: doc.Key, Kind: doc.Kind, Prefix: doc.Prefix, Title: doc.Title["zh-Hans"], TitleLine: d.titleLine,
			FirstLine: d.first, LastLine: d.last, Date: d.date, Truncated: d.truncation}
		n := map[int]int{}
		for k, i := range d.units {
			sec := d.prefix
			var pid string
			text := a.us[i].text
			if !d.statement {
				s := d.sections[k]
				sec = fmt.Sprint(s)
				if d.signature >= 0 && k >= d.signature {
					if k > d.signature {
						continue // joined into the block below
					}
					var names []string
					for _, j := range d.units[d.signature:] {
						names = append(names, a.us[j].text)
					}
					text = strings.Join(names, "\n")
				}
				n[s]++
				pid = fmt.Sprintf("%d.%d", s, n[s])
				if len(dr.Sections) == 0 || dr.Sections[len(dr.Sections)-1].Section != sec {
					line := a.us[i].first
					if h, ok := d.headingLine[s]; ok {
						line = h
					}
					dr.Sections = append(dr.Sections, SectionReport{Section: sec, Line: line})
				}
				sr := &dr.Sections[len(dr.Sections)-1]
				sr.Paragraphs++
				sr.Last = pid
				if sr.First == "" {
					sr.First = pid
				}
				if d.signature >= 0 && k == d.signature {
					dr.Signature = pid
				}
			} else {
				n[0]++
				pid = fmt.Sprintf("%s%d", d.prefix, n[0])
				if dr.First == "" {
					dr.First = pid
				}
				dr.Last = pid
			}
			hans, hant := both(text)
			p.Passages = append(p.Passages, Passage{ID: pid, Doc: doc.Key, Section: sec, TextHans: hans, TextHant: hant})
			dr.Paragraphs++
		}
		if di == 0 && dr.Paragraphs > 0 {
			dr.First, dr.Last = p.Passages[0].ID, p.Passages[len(p.Passages)-1].ID
		}
		if d.truncation != "" {
			p.Report.Notes = append(p.Report.Notes, fmt.Sprintf("the %s is cut off at line %d by %s: the rest of it is not in this file", doc.Kind, d.truncLine, d.truncation))
		}
		p.Report.Documents = append(p.Report.Documents, dr)
	}
	return p
}

var (
	// countries strips the country before a city in 在中国天津举行.
	countries = []string{"中华人民共和国", "中国", "俄罗斯联邦", "俄罗斯", "哈萨克斯坦共和国", "哈萨克斯坦", "吉尔吉斯共和国",
		"吉尔吉斯斯坦", "塔吉克斯坦共和国", "塔吉克斯坦", "乌兹别克斯坦共和国", "乌兹别克斯坦", "印度共和国", "印度",
		"巴基斯坦伊斯兰共和国", "巴基斯坦", "伊朗伊斯兰共和国", "伊朗", "白俄罗斯共和国", "白俄罗斯"}
	// The built-in texts' quotation marks: “” in simplified, 「」 in
	// traditional.
	hansQuotes = strings.NewReplacer("「", "“", "」", "”", "『", "‘", "』", "’")
	hantQuotes = strings.NewReplacer("“", "「", "”", "」", "‘", "『", "’", "』")
)

func stripCountry(place string) string {
	for _, c := range countries {
		if rest, ok := strings.CutPrefix(place, c); ok && utf8.RuneCountInString(rest) >= 2 {
			return rest
		}
	}
	return place
}

// shortStatement drops the issuing body from a statement's title:
// 上海合作组织成员国元首理事会关于支持多边贸易体制的声明 -> 关于支持多边贸易体制的声明.
func shortStatement(title string) string {
	for _, body := range []string{"上海合作组织成员国元首理事会", "上海合作組織成員國元首理事會", "上合组织成员国元首理事会", "上合組織成員國元首理事會"} {
		if rest, ok := strings.CutPrefix(title, body); ok && rest != "" {
			return rest
		}
	}
	return title
}
