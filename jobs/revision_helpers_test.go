package jobs

import (
	"context"
	"strconv"
)

// jobRev is the current revision of a job, as a manager who looked at it
// now would name it when approving.
func (s *Service) jobRev(ref string) string {
	j, err := s.findJob(context.Background(), ref)
	if err != nil {
		return ""
	}
	return revisionOf(j)
}

// requestRev is the current revision of a request's terms.
func (s *Service) requestRev(id int64) string {
	r, err := s.catalog.RequestByID(context.Background(), id)
	if err != nil {
		return "request " + strconv.FormatInt(id, 10) + " not found"
	}
	return requestRevisionOf(r)
}

// For the external tests (package jobs_test).
func JobRev(s *Service, ref string) string   { return s.jobRev(ref) }
func RequestRev(s *Service, id int64) string { return s.requestRev(id) }
