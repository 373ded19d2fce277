package grammar

// Error returns the IOS text every automation client greps for.
func (e *MatchError) Error() string {
	switch e.Kind {
	case ErrIncomplete:
		return "% Incomplete command."
	case ErrAmbiguous:
		return "% Ambiguous command:  \"" + e.Line + "\""
	}
	return "% Invalid input detected at '^' marker."
}
