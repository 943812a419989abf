package tgtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// ParseHTML parses text the way Telegram parses parse_mode=HTML (the rules
// of tdlib's parse_html, which the Bot API server uses): it returns the
// visible text and its entities, or the error Telegram would report after
// "Bad Request: can't parse entities: ".
//
// Like Telegram it accepts only the tags b, strong, i, em, u, ins, s,
// strike, del, a, code, pre, blockquote, tg-spoiler, tg-emoji and span
// (with class="tg-spoiler"); it decodes &lt; &gt; &amp; &quot; and numeric
// character references, and keeps a '&' that starts no known entity as
// text. An unknown tag, a tag left open or an end tag that closes another
// tag is an error. Entity offsets and lengths are in UTF-16 code units.
func ParseHTML(text string) (string, []models.MessageEntity, error) {
	type open struct {
		tag       string
		arg       string
		utf16Off  int
		byteStart int
	}
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	isSpace := func(c byte) bool {
		return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == '\f' || c == '\v'
	}
	isSpaceNotEnd := func(c byte) bool { return c != 0 && isSpace(c) }
	var (
		out      strings.Builder
		u16      int
		stack    []open
		entities []models.MessageEntity
	)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '&' {
			if r, n := decodeEntity(text[i:]); n > 0 {
				out.WriteRune(r)
				u16 += utf16Len(string(r))
				i += n - 1
				continue
			}
		}
		if c != '<' {
			out.WriteByte(c)
			if utf8.RuneStart(c) {
				u16++
				if c >= 0xf0 {
					u16++ // outside the BMP: a surrogate pair
				}
			}
			continue
		}
		begin := i
		i++
		if at(i) != '/' {
			for !isSpace(at(i)) && at(i) != '>' {
				i++
			}
			if at(i) == 0 {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			tag := strings.ToLower(text[begin+1 : i])
			switch tag {
			case "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
				"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote":
			default:
				return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", tag, begin)
			}
			arg := ""
			for at(i) != '>' {
				for isSpaceNotEnd(at(i)) {
					i++
				}
				if at(i) == '>' {
					break
				}
				attrBegin := i
				for !isSpace(at(i)) && at(i) != '=' && at(i) != '>' {
					i++
				}
				name := strings.ToLower(text[attrBegin:i])
				if name == "" {
					return "", nil, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
				}
				for isSpaceNotEnd(at(i)) {
					i++
				}
				if at(i) != '=' {
					if at(i) == 0 {
						return "", nil, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
					}
					if tag == "blockquote" && name == "expandable" {
						arg = "expandable"
						continue
					}
					return "", nil, fmt.Errorf("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", tag, begin)
				}
				i++
				for isSpaceNotEnd(at(i)) {
					i++
				}
				if at(i) == 0 {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				var value string
				if q := at(i); q != '\'' && q != '"' {
					tokBegin := i
					for isAlnum(at(i)) || at(i) == '.' || at(i) == '-' {
						i++
					}
					value = strings.ToLower(text[tokBegin:i])
					if !isSpace(at(i)) && at(i) != '>' {
						return "", nil, fmt.Errorf("Unexpected end of name token at byte offset %d", tokBegin)
					}
				} else {
					i++
					var v strings.Builder
					for at(i) != q && at(i) != 0 {
						if at(i) == '&' {
							if r, n := decodeEntity(text[i:]); n > 0 {
								v.WriteRune(r)
								i += n
								continue
							}
						}
						v.WriteByte(at(i))
						i++
					}
					if at(i) == q {
						i++
					}
					value = v.String()
				}
				if at(i) == 0 {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				switch {
				case tag == "a" && name == "href":
					arg = value
				case tag == "code" && name == "class" && strings.HasPrefix(value, "language-"):
					arg = value[len("language-"):]
				case tag == "span" && name == "class" && strings.HasPrefix(value, "tg-"):
					arg = value[len("tg-"):]
				case tag == "tg-emoji" && name == "emoji-id":
					arg = value
				}
			}
			if tag == "span" && arg != "spoiler" {
				return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, open{tag, arg, u16, out.Len()})
			continue
		}
		// An end tag.
		if len(stack) == 0 {
			return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
		}
		for !isSpace(at(i)) && at(i) != '>' {
			i++
		}
		endName := strings.ToLower(text[begin+2 : i])
		for isSpaceNotEnd(at(i)) {
			i++
		}
		if at(i) != '>' {
			return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
		}
		top := stack[len(stack)-1]
		if endName != "" && endName != top.tag {
			return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.tag, endName)
		}
		stack = stack[:len(stack)-1]
		if length := u16 - top.utf16Off; length > 0 {
			e := models.MessageEntity{Offset: top.utf16Off, Length: length}
			switch top.tag {
			case "b", "strong":
				e.Type = models.MessageEntityTypeBold
			case "i", "em":
				e.Type = models.MessageEntityTypeItalic
			case "u", "ins":
				e.Type = models.MessageEntityTypeUnderline
			case "s", "strike", "del":
				e.Type = models.MessageEntityTypeStrikethrough
			case "tg-spoiler", "span":
				e.Type = models.MessageEntityTypeSpoiler
			case "tg-emoji":
				e.Type = models.MessageEntityTypeCustomEmoji
				e.CustomEmojiID = top.arg
			case "a":
				e.Type = models.MessageEntityTypeTextLink
				e.URL = top.arg
			case "code":
				e.Type = models.MessageEntityTypeCode
				e.Language = top.arg
			case "pre":
				e.Type = models.MessageEntityTypePre
			case "blockquote":
				e.Type = models.MessageEntityTypeBlockquote
				if top.arg == "expandable" {
					e.Type = models.MessageEntityTypeExpandableBlockquote
				}
			}
			entities = append(entities, e)
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].tag)
	}
	return out.String(), entities, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// decodeEntity decodes the character reference at the start of s
// ("&lt;", "&#36;", "&#x4e2d;"); n is 0 when s starts with none, in which
// case Telegram keeps the '&' as text.
func decodeEntity(s string) (r rune, n int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return 0, 0
	}
	body := s[1:end]
	switch body {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	}
	if body[0] != '#' || len(body) < 2 {
		return 0, 0
	}
	var v uint64
	var err error
	if body[1] == 'x' || body[1] == 'X' {
		v, err = strconv.ParseUint(body[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(body[1:], 10, 32)
	}
	if err != nil || v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) {
		return 0, 0
	}
	return rune(v), end + 1
}

// utf16Len counts s in UTF-16 code units, the unit of Telegram's limits
// and entity offsets.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++ // a surrogate pair
		}
	}
	return n
}

// UTF16Len counts s in UTF-16 code units, as Telegram counts message
// length.
func UTF16Len(s string) int { return utf16Len(s) }
