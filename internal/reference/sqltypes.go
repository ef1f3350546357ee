package reference

import (
	"encoding/json"
	"fmt"

	"github.com/lib/pq"
)

type jsonbLabels map[string]string

func (l *jsonbLabels) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("labels: unexpected %T", src)
	}
	return json.Unmarshal(b, (*map[string]string)(l))
}

type pqStrings = pq.StringArray
