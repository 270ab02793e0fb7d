package report

// ValidInstallationID reports whether id is an installation id the
// contract accepts, for places that take one outside a report (an
// operator's erasure request).
func ValidInstallationID(id string) bool { return installationIDPattern.MatchString(id) }

// InstallationIDRule is the rule ValidInstallationID checks, for messages.
func InstallationIDRule() string { return "must match " + installationIDPattern.String() }
