package history

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Per-chat settings (a Telegram chat's /doc pin) are kept in the same
// database as the conversations, in a bucket of their own, so that the
// conversations' records and everything that reads them (Prune, Len, the
// record layout) are untouched by them:
//
//	bucket "chat_settings"
//	  key:   the chat (the caller's key, such as a Telegram chat ID)
//	  value: a JSON object of named strings, {"pack":"astana2024"}
//
// Settings do not expire and Prune leaves them alone. The bucket is made
// on the first write: a database written before it existed reads as every
// chat having no settings, and an older declbot opening a database that
// has the bucket ignores it.
var settingsBucket = []byte("chat_settings")

// maxSetting bounds a setting's chat key, name and value, in bytes: they
// are short identifiers, and a record stays small whatever a caller sends.
const maxSetting = 256

// errSettings reports a chat's settings record that is not a JSON object
// of strings.
var errSettings = errors.New("damaged chat settings record")

// Setting returns the value of the named setting of chat, "" when it is
// not set.
func (s *Store) Setting(chat, name string) (string, error) {
	var value string
	err := s.view(func(tx *bolt.Tx) error {
		sb := tx.Bucket(settingsBucket)
		if sb == nil {
			return nil
		}
		m, err := decodeSettings(sb.Get([]byte(chat)))
		value = m[name]
		return err
	})
	if err != nil {
		return "", fmt.Errorf("history: read setting %s of %s: %w", name, chat, err)
	}
	return value, nil
}

// SetSetting sets the named setting of chat to value; "" removes it. A
// damaged record is replaced.
func (s *Store) SetSetting(chat, name, value string) error {
	if chat == "" || name == "" || len(chat) > maxSetting || len(name) > maxSetting || len(value) > maxSetting {
		return fmt.Errorf("history: setting %q of %q: chat, name and value must be 1-%d bytes (value may be empty)", name, chat, maxSetting)
	}
	err := s.batch(func(tx *bolt.Tx) error {
		sb, err := tx.CreateBucketIfNotExists(settingsBucket)
		if err != nil {
			return err
		}
		m, err := decodeSettings(sb.Get([]byte(chat)))
		if err != nil {
			m = nil // replaced, not fatal
		}
		if m == nil {
			m = map[string]string{}
		}
		if value == "" {
			delete(m, name)
		} else {
			m[name] = value
		}
		if len(m) == 0 {
			return sb.Delete([]byte(chat))
		}
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		return sb.Put([]byte(chat), data)
	})
	if err != nil {
		return fmt.Errorf("history: save setting %s of %s: %w", name, chat, err)
	}
	return nil
}

func decodeSettings(data []byte) (map[string]string, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, errSettings
	}
	return m, nil
}
