#!/usr/bin/env python3
"""Validate a working translation against docs spec /spec/translations.md.

Usage: python3 corpus/data/translations/validate_ru.py [lang]   (default: ru)

Checks: header line; valid JSON per line; all passage IDs exactly once and in
corpus order; no empty text; no CJK characters; every digit run of text_hans
present in the translation; 5.8 has one line per leader; names table format;
every names-table rendering present in every passage whose Chinese contains the
name.

Names in Russian inflect ("Устав ООН" -> "Устава ООН"), so a rendering counts as
present if it occurs verbatim (strict) or, failing that, as the same words with
only their case endings changed (each word of 4+ letters matched by its stem:
the word minus up to two final vowels/й/ь, followed by any letters). The report
says how many matches were strict and lists the inflected ones with --verbose.
Chinese names are matched longest first, so a name inside a longer listed name
(联合国 inside 联合国大会) is covered by the longer one's rendering.
For ru, also checks that ё is used consistently (common е-for-ё misspellings).
"""
import json, re, sys, os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..'))
args = [a for a in sys.argv[1:] if not a.startswith('-')]
verbose = '--verbose' in sys.argv
lang = args[0] if args else 'ru'
CJK = re.compile('[\u3400-\u9fff\uf900-\ufaff]')
errors = []

src = [json.loads(l) for l in open(os.path.join(ROOT, 'passages.jsonl'), encoding='utf-8')]
ids = [p['id'] for p in src]
lines = open(os.path.join(HERE, lang + '.jsonl'), encoding='utf-8').read().splitlines()
try:
    head = json.loads(lines[0])
    if head.get('lang') != lang or not head.get('note') or not head.get('method'):
        errors.append('header: needs lang, note, method')
    if lang == 'ru' and not head.get('note_ru'):
        errors.append('header: needs note_ru')
except Exception as e:
    errors.append('header: %s' % e)
tr = {}
order = []
for n, l in enumerate(lines[1:], 2):
    try:
        o = json.loads(l)
    except Exception as e:
        errors.append('line %d: bad JSON: %s' % (n, e)); continue
    if set(o) != {'id', 'text'}:
        errors.append('line %d: keys %s' % (n, sorted(o)))
    i = o.get('id')
    if i in tr:
        errors.append('duplicate id %s' % i)
    tr[i] = o.get('text', '')
    order.append(i)
if order != ids:
    missing = [i for i in ids if i not in tr]
    extra = [i for i in tr if i not in ids]
    errors.append('IDs/order differ from corpus; missing %s extra %s' % (missing, extra))

for p in src:
    i = p['id']; t = tr.get(i)
    if t is None:
        continue
    if not t.strip():
        errors.append('%s: empty' % i)
    if CJK.search(t):
        errors.append('%s: CJK characters: %s' % (i, ''.join(CJK.findall(t))))
    tdig = re.findall(r'\d+', t)
    for d in re.findall(r'\d+', p['text_hans']):
        if d not in tdig:  # as a whole number, not just a substring
            errors.append('%s: digit run %s missing' % (i, d))
    r = len(t) / max(1, len(p['text_hans']))
    if i != '5.8' and not (1.7 <= r <= 4.5) and len(p['text_hans']) > 25:
        print('note: %s length ratio %.2f' % (i, r))
if '5.8' in tr:
    if len(tr['5.8'].split('\n')) != len(src[ids.index('5.8')]['text_hans'].split('\n')):
        errors.append('5.8: line count differs')

# names table
VOW = 'аеёиоуыэюяйьАЕЁИОУЫЭЮЯЙЬ'
def tolerant(render):
    parts = []
    for w in re.findall(r'\w+|[^\w\s]+', render):
        if re.fullmatch(r'[^\W\d_]{4,}', w):
            s = w
            for _ in range(2):
                if len(s) > 3 and s[-1] in VOW:
                    s = s[:-1]
            parts.append(re.escape(s) + r'\w*')
        elif re.fullmatch(r'\w+', w):
            parts.append(re.escape(w) + (r'\w*' if not w.isdigit() and not w.isupper() else ''))
        # punctuation is not required to match
    return re.compile(r'(?<!\w)' + r'[\W_]*'.join(parts), re.I)

names = []
nl = open(os.path.join(HERE, 'names.%s.tsv' % lang), encoding='utf-8').read().splitlines()
if nl[0] != 'zh\t' + lang:
    errors.append('names: bad header %r' % nl[0])
seen = set()
for n, l in enumerate(nl[1:], 2):
    f = l.split('\t')
    if len(f) != 2 or not f[0] or not f[1]:
        errors.append('names line %d: %r' % (n, l)); continue
    if f[0] in seen:
        errors.append('names line %d: duplicate %s' % (n, f[0]))
    seen.add(f[0])
    if CJK.search(f[1]):
        errors.append('names line %d: CJK in rendering' % n)
    names.append((f[0], f[1]))
    if not any(f[0] in p['text_hans'] for p in src):
        errors.append('names: %s does not occur in text_hans' % f[0])
# ordinary words that happen to contain a listed name (发展中国家 'developing
# countries' contains 中国 'China'); masked before names are looked up
NOT_NAMES = ['发展中国家']
names_sorted = sorted(names, key=lambda x: -len(x[0]))
strict = infl = 0
for p in src:
    i = p['id']; t = tr.get(i)
    if t is None:
        continue
    zh = p['text_hans']
    for common in NOT_NAMES:
        zh = zh.replace(common, '\0' * len(common))
    mask = list(zh)
    for z, r in names_sorted:
        s = ''.join(mask)
        if z not in s:
            continue
        s = s.replace(z, '\0' * len(z))
        mask = list(s)
        if r in t:
            strict += 1
        elif tolerant(r).search(t):
            infl += 1
            if verbose:
                print('inflected: %s %s -> %s' % (i, z, r))
        else:
            errors.append('%s: name %s -> %s not found' % (i, z, r))

if lang == 'ru':
    # ё consistency: forms that should have ё if ё is used
    bad = re.compile(r'\b(подчеркива\w*|объединенн\w*|напряженн\w*|тверд\w*|зелен\w*|учет\w*|еще|ее|сплоченн\w*|серьезн\w*|объем\w*|вооруженн\w*|утвержденн\w*|проведенн\w*|заключенн\w*|определенн\w*|включенн\w*|ведет|придает|решенн\w*|вперед|подъем\w*|отчет\w*|партнерств\w*|партнер\w*|совершенн\w*|ускоренн\w*|защищенн\w*|сниженн\w*|погибш\w*ее)\b', re.I)
    for i, t in tr.items():
        for m in bad.findall(t):
            errors.append('%s: ё missing? %s' % (i, m))

print('passages: %d/%d, names: %d, name occurrences: %d strict + %d inflected' % (len(tr), len(ids), len(names), strict, infl))
if errors:
    print('\n'.join('ERROR ' + e for e in errors))
    print('FAIL (%d errors)' % len(errors)); sys.exit(1)
print('OK')
