package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"talentloop/credential/contexts"
)

// The Open Badges 3.0 JSON Schema for achievement credentials.
const (
	AchievementCredentialSchema = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
	SchemaValidatorType         = "1EdTechJsonSchemaValidator2019"
)

// Alignment target types for skills and occupations ("ext:" marks a value
// outside the Open Badges enumeration, as the specification allows).
const (
	AlignSkill      = "ceasn:Competency"
	AlignOccupation = "ext:Occupation"
)

// Issuer describes the issuing organization.
type Issuer struct {
	ID   string // the issuer DID (Identity.DID())
	Name string
	URL  string // the organization's home page
}

// Alignment links the achievement to a skill or an occupation code.
type Alignment struct {
	TargetName        string // required
	TargetURL         string // required, an absolute URL
	TargetDescription string
	TargetFramework   string // e.g. "职业分类大典 2022", "ISCO-08", "O*NET-SOC"
	TargetCode        string // e.g. "4-04-05-03"
	TargetType        string // AlignSkill, AlignOccupation or another OB value
}

// Evidence is a reviewed piece of work that supports the achievement.
type Evidence struct {
	ID          string // URL of the reviewed project submission, if public
	Name        string
	Description string
	Narrative   string
	Genre       string // e.g. "Real project"
}

// OpenBadgeParams is what a certificate says.
type OpenBadgeParams struct {
	// ID is the https URL of the certificate's public verification page.
	ID         string
	Issuer     Issuer
	ValidFrom  time.Time
	ValidUntil time.Time // zero: no expiry
	// Name of the certificate (defaults to the achievement's name).
	Name        string
	Description string
	// HolderEmail identifies the holder; only its salted hash is stored.
	HolderEmail string
	// Salt for the email hash; empty means a new random salt.
	Salt        string
	Achievement AchievementParams
	Evidence    []Evidence
	// Status holds the entries (revocation and/or suspension) from
	// StatusList.Entry.
	Status []StatusEntry
	// OmitSchema leaves credentialSchema out (and the extensions context).
	OmitSchema bool
}

// AchievementParams describes the program (微专业) the certificate is for.
type AchievementParams struct {
	ID                string // URL of the program's public page
	Name              string
	Description       string
	CriteriaNarrative string // how the certificate is earned
	CriteriaURL       string
	Image             string // URL of the badge image
	FieldOfStudy      string
	Tags              []string
	Alignments        []Alignment
}

// OpenBadgeCredential is an unsigned Open Badges 3.0 credential; its JSON
// field order is the one people expect to read.
type OpenBadgeCredential struct {
	Context           []string           `json:"@context"`
	ID                string             `json:"id"`
	Type              []string           `json:"type"`
	Issuer            Profile            `json:"issuer"`
	ValidFrom         string             `json:"validFrom"`
	ValidUntil        string             `json:"validUntil,omitempty"`
	Name              string             `json:"name"`
	Description       string             `json:"description,omitempty"`
	CredentialSubject AchievementSubject `json:"credentialSubject"`
	Evidence          []EvidenceJSON     `json:"evidence,omitempty"`
	CredentialSchema  []CredentialSchema `json:"credentialSchema,omitempty"`
	CredentialStatus  []StatusEntry      `json:"credentialStatus,omitempty"`
}

// Profile is the issuer profile.
type Profile struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
}

// AchievementSubject is the credential subject.
type AchievementSubject struct {
	Type        []string         `json:"type"`
	Identifier  []IdentityObject `json:"identifier"`
	Achievement Achievement      `json:"achievement"`
}

// IdentityObject identifies the holder by a salted hash.
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt"`
}

// Achievement is the OB Achievement.
type Achievement struct {
	ID              string          `json:"id"`
	Type            []string        `json:"type"`
	AchievementType string          `json:"achievementType"`
	Name            string          `json:"name"`
	Description     string          `json:"description"`
	Criteria        Criteria        `json:"criteria"`
	Image           *Image          `json:"image,omitempty"`
	FieldOfStudy    string          `json:"fieldOfStudy,omitempty"`
	Tag             []string        `json:"tag,omitempty"`
	Alignment       []AlignmentJSON `json:"alignment,omitempty"`
}

// Criteria says how the achievement is earned.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// Image is an OB image.
type Image struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// AlignmentJSON is an OB Alignment.
type AlignmentJSON struct {
	Type              []string `json:"type"`
	TargetName        string   `json:"targetName"`
	TargetURL         string   `json:"targetUrl"`
	TargetDescription string   `json:"targetDescription,omitempty"`
	TargetFramework   string   `json:"targetFramework,omitempty"`
	TargetCode        string   `json:"targetCode,omitempty"`
	TargetType        string   `json:"targetType,omitempty"`
}

// EvidenceJSON is an OB Evidence.
type EvidenceJSON struct {
	ID          string   `json:"id,omitempty"`
	Type        []string `json:"type"`
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Narrative   string   `json:"narrative,omitempty"`
	Genre       string   `json:"genre,omitempty"`
}

// CredentialSchema names a JSON Schema the credential conforms to.
type CredentialSchema struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// BuildOpenBadge returns the unsigned credential described by p, or an error
// naming the first missing or invalid field.
func BuildOpenBadge(p OpenBadgeParams) (*OpenBadgeCredential, error) {
	if err := checkURL("ID", p.ID, true); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(p.Issuer.ID, "did:") {
		return nil, errors.New("credential: Issuer.ID must be a DID")
	}
	if strings.TrimSpace(p.Issuer.Name) == "" {
		return nil, errors.New("credential: Issuer.Name is required")
	}
	if p.Issuer.URL != "" {
		if err := checkURL("Issuer.URL", p.Issuer.URL, false); err != nil {
			return nil, err
		}
	}
	if p.ValidFrom.IsZero() {
		return nil, errors.New("credential: ValidFrom is required")
	}
	if !p.ValidUntil.IsZero() && !p.ValidUntil.After(p.ValidFrom) {
		return nil, errors.New("credential: ValidUntil must be after ValidFrom")
	}
	a := p.Achievement
	if err := checkURL("Achievement.ID", a.ID, false); err != nil {
		return nil, err
	}
	if strings.TrimSpace(a.Name) == "" || strings.TrimSpace(a.Description) == "" {
		return nil, errors.New("credential: Achievement.Name and Achievement.Description are required")
	}
	if a.CriteriaNarrative == "" && a.CriteriaURL == "" {
		return nil, errors.New("credential: Achievement needs CriteriaNarrative or CriteriaURL")
	}
	if a.CriteriaURL != "" {
		if err := checkURL("Achievement.CriteriaURL", a.CriteriaURL, false); err != nil {
			return nil, err
		}
	}
	if !strings.Contains(p.HolderEmail, "@") {
		return nil, errors.New("credential: HolderEmail is required")
	}
	salt := p.Salt
	if salt == "" {
		salt = NewSalt()
	}
	name := p.Name
	if name == "" {
		name = a.Name
	}
	vc := &OpenBadgeCredential{
		Context:   []string{contexts.CredentialsV2, contexts.OpenBadgesV3},
		ID:        p.ID,
		Type:      []string{"VerifiableCredential", "OpenBadgeCredential"},
		Issuer:    Profile{ID: p.Issuer.ID, Type: []string{"Profile"}, Name: p.Issuer.Name, URL: p.Issuer.URL},
		ValidFrom: FormatTime(p.ValidFrom),
		Name:      name,
		CredentialSubject: AchievementSubject{
			Type: []string{"AchievementSubject"},
			Identifier: []IdentityObject{{
				Type: "IdentityObject", IdentityHash: HashIdentity(p.HolderEmail, salt),
				IdentityType: "emailAddress", Hashed: true, Salt: salt,
			}},
			Achievement: Achievement{
				ID: a.ID, Type: []string{"Achievement"}, AchievementType: "Certificate",
				Name: a.Name, Description: a.Description,
				Criteria:     Criteria{ID: a.CriteriaURL, Narrative: a.CriteriaNarrative},
				FieldOfStudy: a.FieldOfStudy, Tag: a.Tags,
			},
		},
		CredentialStatus: p.Status,
	}
	if p.Description != "" {
		vc.Description = p.Description
	}
	if !p.ValidUntil.IsZero() {
		vc.ValidUntil = FormatTime(p.ValidUntil)
	}
	if a.Image != "" {
		if err := checkURL("Achievement.Image", a.Image, false); err != nil {
			return nil, err
		}
		vc.CredentialSubject.Achievement.Image = &Image{ID: a.Image, Type: "Image"}
	}
	for i, al := range a.Alignments {
		if strings.TrimSpace(al.TargetName) == "" {
			return nil, fmt.Errorf("credential: Alignments[%d].TargetName is required", i)
		}
		if err := checkURL(fmt.Sprintf("Alignments[%d].TargetURL", i), al.TargetURL, false); err != nil {
			return nil, err
		}
		vc.CredentialSubject.Achievement.Alignment = append(vc.CredentialSubject.Achievement.Alignment, AlignmentJSON{
			Type: []string{"Alignment"}, TargetName: al.TargetName, TargetURL: al.TargetURL,
			TargetDescription: al.TargetDescription, TargetFramework: al.TargetFramework,
			TargetCode: al.TargetCode, TargetType: al.TargetType,
		})
	}
	for i, e := range p.Evidence {
		if e.ID != "" {
			if err := checkURL(fmt.Sprintf("Evidence[%d].ID", i), e.ID, false); err != nil {
				return nil, err
			}
		}
		if e.ID == "" && e.Name == "" && e.Narrative == "" {
			return nil, fmt.Errorf("credential: Evidence[%d] needs an ID, a Name or a Narrative", i)
		}
		vc.Evidence = append(vc.Evidence, EvidenceJSON{
			ID: e.ID, Type: []string{"Evidence"}, Name: e.Name, Description: e.Description,
			Narrative: e.Narrative, Genre: e.Genre,
		})
	}
	for i, s := range p.Status {
		if s.Type != "BitstringStatusListEntry" || s.StatusListCredential == "" || s.StatusListIndex == "" {
			return nil, fmt.Errorf("credential: Status[%d] is not a BitstringStatusListEntry from StatusList.Entry", i)
		}
	}
	if !p.OmitSchema {
		vc.Context = append(vc.Context, contexts.OpenBadgesExt)
		vc.CredentialSchema = []CredentialSchema{{ID: AchievementCredentialSchema, Type: SchemaValidatorType}}
	}
	return vc, nil
}

func checkURL(field, s string, httpsOnly bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && (httpsOnly || u.Scheme != "http")) || strings.ContainsAny(s, " \t\r\n") {
		want := "an http(s) URL"
		if httpsOnly {
			want = "an https URL"
		}
		return fmt.Errorf("credential: %s must be %s, not %q", field, want, s)
	}
	return nil
}

// NewSalt returns a random salt for HashIdentity.
func NewSalt() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// normalizeEmail trims and lower-cases an address, so that the holder's
// way of typing it does not change the hash.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// HashIdentity returns the Open Badges IdentityHash of an email address:
// "sha256$" and the hex SHA-256 of the normalized address followed by salt.
func HashIdentity(email, salt string) string {
	sum := sha256.Sum256([]byte(normalizeEmail(email) + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// MatchIdentity reports whether email is the holder of a credential: whether
// one of its credentialSubject.identifier entries of type emailAddress
// hashes (or, unhashed, equals) email. cred is Result.Credential.
func MatchIdentity(cred map[string]any, email string) bool {
	subj, ok := cred["credentialSubject"].(map[string]any)
	if !ok {
		return false
	}
	ids, ok := subj["identifier"].([]any)
	if !ok {
		if one, isMap := subj["identifier"].(map[string]any); isMap {
			ids = []any{one}
		}
	}
	for _, x := range ids {
		id, ok := x.(map[string]any)
		if !ok || id["identityType"] != "emailAddress" {
			continue
		}
		hash, _ := id["identityHash"].(string)
		salt, _ := id["salt"].(string)
		want := normalizeEmail(email)
		if hashed, _ := id["hashed"].(bool); hashed {
			want = HashIdentity(email, salt)
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(want)) == 1 {
			return true
		}
	}
	return false
}
