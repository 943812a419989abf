#!/usr/bin/env python3
"""Validate a declbot working translation against corpus/data/passages.jsonl.

Usage: python3 corpus/data/translations/validate.py en [--partial]

Checks (see spec/translations.md):
  - every line of <lang>.jsonl is valid JSON; line 1 is the header (lang, note, method);
  - passage lines carry the corpus IDs exactly once and in corpus order (all 166 unless --partial);
  - no empty text; no CJK characters (U+3400-U+9FFF, U+F900-U+FAFF);
  - every run of ASCII digits in text_hans appears in the translation (a month number,
    i.e. a run followed by 月, may instead be spelled as the month name: "25 September");
  - names.<lang>.tsv: header "zh<TAB><lang>", two non-empty fields per line, no duplicate zh key;
  - every names-table rendering appears in every passage whose Chinese contains the name.
    An occurrence that lies inside an occurrence of a longer listed name is not counted
    (e.g. 俄罗斯 inside 白俄罗斯 -> Belarus, not Russia), nor one inside an ordinary word listed
    in NOT_NAMES (中国 inside 发展中国家 "developing countries"); masked cases are reported as info.
  - the signature block 5.8 has as many lines as the Chinese.
Exit status 0 when everything passes.
"""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, '..', 'passages.jsonl')
CJK = re.compile('[\u3400-\u9fff\uf900-\ufaff]')
# Ordinary words that contain a listed name as a substring but are not that name.
NOT_NAMES = ['发展中国家']  # "developing countries" contains 中国
# A digit run followed by 月 is a month; the translation may spell it as a month name.
MONTHS = {
    'en': ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
           'September', 'October', 'November', 'December'],
    'ru': ['январ', 'феврал', 'март', 'апрел', 'ма', 'июн', 'июл', 'август',
           'сентябр', 'октябр', 'ноябр', 'декабр'],
}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    partial = '--partial' in sys.argv
    lang = args[0] if args else 'en'
    errors, infos = [], []
    src = [json.loads(l) for l in open(CORPUS, encoding='utf-8') if l.strip()]
    order = [p['id'] for p in src]
    zh = {p['id']: p['text_hans'] for p in src}

    tr_path = os.path.join(HERE, lang + '.jsonl')
    lines = open(tr_path, encoding='utf-8').read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    objs = []
    for n, l in enumerate(lines, 1):
        try:
            objs.append(json.loads(l))
        except Exception as e:
            errors.append('%s:%d: invalid JSON: %s' % (tr_path, n, e))
    if not objs:
        errors.append('empty file')
        return report(errors, infos)
    head = objs[0]
    if head.get('lang') != lang or not head.get('note') or not head.get('method') or 'id' in head:
        errors.append('line 1 is not a valid header for lang=%s' % lang)
    if lang == 'ru' and not head.get('note_ru'):
        errors.append('ru header lacks note_ru')
    tr = {}
    ids = []
    for o in objs[1:]:
        i, t = o.get('id'), o.get('text')
        if set(o) != {'id', 'text'}:
            errors.append('%s: unexpected keys %s' % (i, sorted(o)))
        if i not in zh:
            errors.append('unknown id %r' % i)
            continue
        if i in tr:
            errors.append('duplicate id %s' % i)
        ids.append(i)
        tr[i] = t if isinstance(t, str) else ''
    expect = order if not partial else [i for i in order if i in tr]
    if ids != expect:
        missing = [i for i in order if i not in tr]
        if missing and not partial:
            errors.append('missing ids: %s' % ' '.join(missing))
        if [i for i in ids if i in zh] != [i for i in order if i in tr]:
            errors.append('ids not in corpus order')
    for i in ids:
        t = tr[i]
        if not t.strip():
            errors.append('%s: empty text' % i)
        m = CJK.search(t)
        if m:
            errors.append('%s: CJK character %r' % (i, m.group()))
        for m in re.finditer(r'[0-9]+', zh[i]):
            d = m.group()
            if re.search(r'(?<![0-9])' + d + r'(?![0-9])', t):
                continue
            if zh[i][m.end():m.end() + 1] == '月' and 1 <= int(d) <= 12 and lang in MONTHS \
                    and MONTHS[lang][int(d) - 1].lower() in t.lower():
                continue  # month written as a word, as in the spec's "25 September"
            errors.append('%s: digit run %s missing' % (i, d))
        if i in zh and zh[i].count('\n') != t.count('\n'):
            errors.append('%s: line count %d != Chinese %d' % (i, t.count('\n') + 1, zh[i].count('\n') + 1))

    names_path = os.path.join(HERE, 'names.%s.tsv' % lang)
    nl = open(names_path, encoding='utf-8').read().split('\n')
    if nl and nl[-1] == '':
        nl.pop()
    if not nl or nl[0] != 'zh\t' + lang:
        errors.append('names table header must be "zh<TAB>%s"' % lang)
    names = {}
    for n, l in enumerate(nl[1:], 2):
        parts = l.split('\t')
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            errors.append('%s:%d: need two non-empty TAB-separated fields' % (names_path, n))
            continue
        k, v = parts
        if k in names:
            errors.append('%s:%d: duplicate name %s' % (names_path, n, k))
        if CJK.search(v):
            errors.append('%s:%d: CJK in rendering' % (names_path, n))
        if not any(k in zh[i] for i in order):
            errors.append('%s:%d: %s does not occur in text_hans' % (names_path, n, k))
        names[k] = v
    keys = sorted(names, key=len, reverse=True)
    for i in ids:
        c = zh[i]
        covered = [False] * len(c)
        for w in NOT_NAMES:
            for m in re.finditer(re.escape(w), c):
                for j in range(m.start(), m.end()):
                    covered[j] = True
        # longest names first: a shorter name inside a longer listed one is masked
        for k in keys:
            start, hit_free, hit_any = 0, False, False
            while True:
                p = c.find(k, start)
                if p < 0:
                    break
                hit_any = True
                if not all(covered[p:p + len(k)]):
                    hit_free = True
                start = p + 1
            if hit_any:
                for m in re.finditer(re.escape(k), c):
                    for j in range(m.start(), m.end()):
                        covered[j] = True
            if hit_free and names[k] not in tr[i]:
                errors.append('%s: name %s -> %r not used' % (i, k, names[k]))
            elif hit_any and not hit_free and names[k] not in tr[i]:
                infos.append('%s: %s only inside a longer name; %r not required' % (i, k, names[k]))
    # Also report, for information, what a plain substring check (no masking) would flag.
    for k in keys:
        for i in ids:
            if k in zh[i] and names[k] not in tr[i]:
                infos.append('%s: plain substring check would want %r for %s' % (i, names[k], k))
    print('%s: %d passages, %d names' % (lang, len(ids), len(names)))
    return report(errors, infos)


def report(errors, infos):
    for m in infos:
        print('info:', m)
    for m in errors:
        print('ERROR:', m)
    print('FAIL (%d errors)' % len(errors) if errors else 'PASS')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
