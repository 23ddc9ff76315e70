package web

import (
	"net/http"

	"talentloop"
)

// access says who may call a route.
type access struct {
	public bool              // anyone, signed in or not
	roles  []talentloop.Role // nil with public false: any signed-in user
}

var (
	public   = access{public: true}
	signedIn = access{}
)

func roles(r ...talentloop.Role) access { return access{roles: r} }

// check returns nil when u may call the route, EUNAUTHORIZED when nobody is
// signed in, and EFORBIDDEN when the user lacks every role the route takes.
func (a access) check(u *talentloop.User) error {
	if a.public {
		return nil
	}
	if u == nil {
		return talentloop.Errorf(talentloop.EUNAUTHORIZED, "err.login_required")
	}
	if len(a.roles) == 0 || u.HasAnyRole(a.roles...) {
		return nil
	}
	return talentloop.Errorf(talentloop.EFORBIDDEN, "err.forbidden")
}

// route is one entry of the route table.
type route struct {
	method  string
	pattern string
	access  access
	api     bool
	upload  bool // takes file uploads: a larger body limit
	handler func(w http.ResponseWriter, r *http.Request) error
}

// uploadRoute marks a route that receives files.
func uploadRoute(rt *route) *route {
	rt.upload = true
	return rt
}

const (
	learner    = talentloop.RoleLearner
	instructor = talentloop.RoleInstructor
	partner    = talentloop.RolePartner
	counsellor = talentloop.RoleCounsellor
	operator   = talentloop.RoleOperator
)

// routeTable lists every route of the site in one place, with who may call
// it. Ownership rules (an instructor edits only their own courses) are
// checked in the handlers on top of these roles.
func (s *Server) routeTable() []*route {
	ui := func(method, pattern string, a access, h func(http.ResponseWriter, *http.Request) error) *route {
		return &route{method: method, pattern: pattern, access: a, handler: h}
	}
	api := func(method, pattern string, a access, h func(http.ResponseWriter, *http.Request) error) *route {
		return &route{method: method, pattern: pattern, access: a, api: true, handler: h}
	}
	catalogEditors := roles(operator, instructor)
	return []*route{
		// Operations.
		ui("GET", "/healthz", public, s.handleHealth),
		ui("GET", "/metrics", public, s.handleMetrics),
		ui("GET", "/static/", public, s.handleStatic),

		// Public pages.
		ui("GET", "/{$}", public, s.handleHome),
		ui("GET", "/lang/{lang}", public, s.handleLang),
		ui("GET", "/chains/{code}", public, s.handleChain),
		ui("GET", "/programs", public, s.handlePrograms),
		ui("GET", "/programs/{id}", public, s.handleProgram),
		ui("GET", "/courses/{id}", public, s.handleCourse),
		ui("GET", "/lessons/{id}", public, s.handleLesson),
		ui("GET", "/projects/{id}", public, s.handleProject),
		ui("GET", "/skills", public, s.handleSkills),

		// Certificates anyone can verify.
		ui("GET", "/credentials/{id}", public, s.handleCredential),
		ui("POST", "/credentials/{id}/confirm", public, s.handleConfirmHolder),
		ui("GET", "/status-lists/{id}", public, s.handleStatusList),
		ui("GET", "/.well-known/did.json", public, s.handleDIDDocument),
		ui("GET", "/verify", public, s.handleVerifyForm),
		uploadRoute(ui("POST", "/verify", public, s.handleVerify)),
		ui("GET", "/r/{slug}", public, s.handlePublicResume),

		// Accounts.
		ui("GET", "/register", public, s.handleRegisterForm),
		ui("POST", "/register", public, s.handleRegister),
		ui("GET", "/login", public, s.handleLoginForm),
		ui("POST", "/login", public, s.handleLogin),
		ui("POST", "/logout", signedIn, s.handleLogout),
		ui("GET", "/dashboard", signedIn, s.handleDashboard),
		ui("GET", "/account", signedIn, s.handleAccount),
		ui("POST", "/account/password", signedIn, s.handleAccountPassword),
		ui("POST", "/account/tokens", signedIn, s.handleAccountTokenCreate),
		ui("POST", "/account/tokens/{id}/revoke", signedIn, s.handleAccountTokenRevoke),
		ui("POST", "/account/profile", roles(instructor), s.handleAccountProfile),

		// Learning.
		ui("GET", "/programs/{id}/enrol", roles(learner), s.handleEnrolForm),
		ui("POST", "/programs/{id}/enrol", roles(learner), s.handleEnrol),
		ui("GET", "/learn", roles(learner), s.handleLearn),
		ui("POST", "/learn/income", roles(learner), s.handleIncome),
		ui("GET", "/learn/skills", roles(learner), s.handleMySkills),
		ui("POST", "/lessons/{id}/done", roles(learner), s.handleLessonDone),
		ui("GET", "/learn/certificates", roles(learner), s.handleMyCertificates),
		ui("POST", "/learn/certificates/{id}/resume", roles(learner), s.handleCertificateResume),
		ui("GET", "/learn/resume", roles(learner), s.handleMyResume),
		ui("POST", "/learn/resume", roles(learner), s.handleSaveResume),
		ui("GET", "/learn/resume/print", roles(learner), s.handleResumePrint),
		uploadRoute(ui("POST", "/projects/{id}/submissions", roles(learner), s.handleSubmit)),
		ui("GET", "/submissions/{id}", roles(learner, instructor, operator), s.handleSubmission),
		ui("POST", "/submissions/{id}/reviews", roles(instructor), s.handleReview),
		ui("GET", "/files/{id}", roles(learner, instructor, operator), s.handleFile),
		ui("GET", "/review", roles(instructor), s.handleReviewQueue),
		ui("GET", "/courses/{id}/questions", roles(learner, instructor, operator), s.handleQuestions),
		ui("POST", "/courses/{id}/questions", roles(learner), s.handleAsk),
		ui("GET", "/questions/{id}", roles(learner, instructor, operator), s.handleQuestion),
		ui("POST", "/questions/{id}/answers", roles(learner, instructor), s.handleAnswer),
		ui("POST", "/questions/{id}/accept", roles(learner, instructor), s.handleAccept),
		ui("GET", "/notifications", signedIn, s.handleNotifications),
		ui("POST", "/notifications/read", signedIn, s.handleNotificationsRead),

		// Operators manage people and companies.
		ui("GET", "/admin/users", roles(operator, counsellor), s.handleAdminUsers),
		ui("GET", "/admin/users/new", roles(operator), s.handleAdminUserNew),
		ui("POST", "/admin/users", roles(operator), s.handleAdminUserCreate),
		ui("GET", "/admin/users/{id}", roles(operator), s.handleAdminUser),
		ui("POST", "/admin/users/{id}/roles", roles(operator), s.handleAdminUserRoles),
		ui("POST", "/admin/users/{id}/password", roles(operator), s.handleAdminUserPassword),
		ui("GET", "/admin/companies", roles(operator), s.handleAdminCompanies),
		ui("GET", "/admin/orders", roles(operator), s.handleAdminOrders),
		ui("GET", "/admin/orders/{id}", roles(operator), s.handleAdminOrder),
		ui("POST", "/admin/orders/{id}/mark-paid", roles(operator), s.handleOrderMarkPaid),
		ui("POST", "/admin/orders/{id}/refund", roles(operator), s.handleOrderRefund),
		ui("POST", "/admin/orders/{id}/cancel", roles(operator), s.handleOrderCancel),
		ui("GET", "/admin/qa", roles(operator), s.handleAdminQA),
		ui("GET", "/admin/certificates", roles(operator), s.handleAdminCertificates),
		ui("POST", "/admin/certificates", roles(operator), s.handleAdminIssue),
		ui("POST", "/admin/certificates/{id}/revoke", roles(operator), s.handleCertRevoke),
		ui("POST", "/admin/certificates/{id}/suspend", roles(operator), s.handleCertSuspend),
		ui("POST", "/admin/certificates/{id}/unsuspend", roles(operator), s.handleCertUnsuspend),
		ui("GET", "/admin/programs/{id}/certification", roles(operator), s.handleRuleForm),
		ui("POST", "/admin/programs/{id}/certification", roles(operator), s.handleRuleSave),
		ui("POST", "/admin/programs/{id}/certificates/batch", roles(operator), s.handleBatchIssue),
		ui("GET", "/admin/jobs/{id}", roles(operator), s.handleJob),
		ui("POST", "/admin/companies", roles(operator), s.handleAdminCompanyCreate),

		// Catalog editing: operators everything, instructors their own courses.
		ui("GET", "/admin/programs", catalogEditors, s.handleAdminPrograms),
		ui("GET", "/admin/programs/new", roles(operator), s.handleProgramNew),
		ui("POST", "/admin/programs", roles(operator), s.handleProgramCreate),
		ui("GET", "/admin/programs/{id}/edit", roles(operator), s.handleProgramEdit),
		ui("POST", "/admin/programs/{id}", roles(operator), s.handleProgramUpdate),
		ui("GET", "/admin/programs/{id}/courses/new", roles(operator), s.handleCourseNew),
		ui("POST", "/admin/programs/{id}/courses", roles(operator), s.handleCourseCreate),
		ui("GET", "/admin/courses/{id}/edit", catalogEditors, s.handleCourseEdit),
		ui("POST", "/admin/courses/{id}", catalogEditors, s.handleCourseUpdate),
		ui("GET", "/admin/courses/{id}/lessons/new", catalogEditors, s.handleLessonNew),
		ui("POST", "/admin/courses/{id}/lessons", catalogEditors, s.handleLessonCreate),
		ui("GET", "/admin/lessons/{id}/edit", catalogEditors, s.handleLessonEdit),
		ui("POST", "/admin/lessons/{id}", catalogEditors, s.handleLessonUpdate),
		ui("GET", "/admin/courses/{id}/projects/new", catalogEditors, s.handleProjectNew),
		ui("POST", "/admin/courses/{id}/projects", catalogEditors, s.handleProjectCreate),
		ui("GET", "/admin/projects/{id}/edit", catalogEditors, s.handleProjectEdit),
		ui("POST", "/admin/projects/{id}", catalogEditors, s.handleProjectUpdate),

		// JSON API.
		api("GET", "/api/v1/openapi.json", public, s.apiOpenAPI),
		api("POST", "/api/v1/auth/token", public, s.apiToken),
		api("POST", "/api/v1/users", public, s.apiRegister),
		api("GET", "/api/v1/me", signedIn, s.apiMe),
		api("POST", "/api/v1/me/password", signedIn, s.apiMePassword),
		api("GET", "/api/v1/me/tokens", signedIn, s.apiMeTokens),
		api("DELETE", "/api/v1/me/tokens/{id}", signedIn, s.apiMeTokenRevoke),
		api("PUT", "/api/v1/me/instructor-profile", roles(instructor), s.apiMeInstructorProfile),
		api("GET", "/api/v1/users", roles(operator, counsellor), s.apiUsers),
		api("GET", "/api/v1/users/{id}", roles(operator), s.apiUser),
		api("PUT", "/api/v1/users/{id}/roles", roles(operator), s.apiUserRoles),
		api("POST", "/api/v1/users/{id}/password", roles(operator), s.apiUserPassword),
		api("GET", "/api/v1/companies", public, s.apiCompanies),
		api("POST", "/api/v1/companies", roles(operator), s.apiCompanyCreate),
		api("GET", "/api/v1/instructors/{id}", public, s.apiInstructor),
		api("GET", "/api/v1/industry-chains", public, s.apiChains),
		api("GET", "/api/v1/skills", public, s.apiSkills),
		api("GET", "/api/v1/programs", public, s.apiPrograms),
		api("POST", "/api/v1/programs", roles(operator), s.apiProgramCreate),
		api("GET", "/api/v1/programs/{id}", public, s.apiProgram),
		api("PUT", "/api/v1/programs/{id}", roles(operator), s.apiProgramUpdate),
		api("POST", "/api/v1/programs/{id}/courses", roles(operator), s.apiCourseCreate),
		api("GET", "/api/v1/courses/{id}", public, s.apiCourse),
		api("PUT", "/api/v1/courses/{id}", catalogEditors, s.apiCourseUpdate),
		api("PUT", "/api/v1/courses/{id}/instructors", roles(operator), s.apiCourseInstructors),
		api("POST", "/api/v1/courses/{id}/lessons", catalogEditors, s.apiLessonCreate),
		api("GET", "/api/v1/lessons/{id}", public, s.apiLesson),
		api("PUT", "/api/v1/lessons/{id}", catalogEditors, s.apiLessonUpdate),
		api("POST", "/api/v1/courses/{id}/projects", catalogEditors, s.apiProjectCreate),
		api("GET", "/api/v1/projects/{id}", public, s.apiProject),
		api("PUT", "/api/v1/projects/{id}", catalogEditors, s.apiProjectUpdate),
		api("GET", "/api/v1/catalog/stats", roles(operator), s.apiCatalogStats),

		api("POST", "/api/v1/programs/{id}/enrolments", roles(learner), s.apiEnrol),
		api("GET", "/api/v1/me/enrolments", roles(learner), s.apiMyEnrolments),
		api("GET", "/api/v1/me/income", roles(learner), s.apiMyIncome),
		api("POST", "/api/v1/me/income", roles(learner), s.apiAddIncome),
		api("GET", "/api/v1/orders", roles(operator), s.apiOrders),
		api("GET", "/api/v1/orders/{id}", roles(operator), s.apiOrder),
		api("POST", "/api/v1/orders/{id}/mark-paid", roles(operator), s.apiOrderMarkPaid),
		api("POST", "/api/v1/orders/{id}/refund", roles(operator), s.apiOrderRefund),
		api("POST", "/api/v1/orders/{id}/cancel", roles(operator), s.apiOrderCancel),
		api("POST", "/api/v1/lessons/{id}/done", roles(learner), s.apiLessonDone),
		api("GET", "/api/v1/courses/{id}/progress", roles(learner), s.apiCourseProgress),
		uploadRoute(api("POST", "/api/v1/projects/{id}/submissions", roles(learner), s.apiSubmit)),
		api("GET", "/api/v1/projects/{id}/submissions", roles(learner), s.apiMySubmissions),
		api("GET", "/api/v1/submissions/{id}", roles(learner, instructor, operator), s.apiSubmission),
		api("GET", "/api/v1/review-queue", roles(instructor), s.apiReviewQueue),
		api("POST", "/api/v1/submissions/{id}/reviews", roles(instructor), s.apiReview),
		api("GET", "/api/v1/me/skills", roles(learner), s.apiMySkills),
		api("GET", "/api/v1/learners/{id}/skills", roles(operator, partner, counsellor), s.apiLearnerSkills),
		api("POST", "/api/v1/questions", roles(learner), s.apiAsk),
		api("GET", "/api/v1/courses/{id}/questions", roles(learner, instructor, operator), s.apiCourseQuestions),
		api("GET", "/api/v1/questions/{id}", roles(learner, instructor, operator), s.apiQuestion),
		api("POST", "/api/v1/questions/{id}/answers", roles(learner, instructor), s.apiAnswer),
		api("POST", "/api/v1/questions/{id}/accept", roles(learner, instructor), s.apiAccept),
		api("GET", "/api/v1/instructors/{id}/answer-stats", roles(instructor, operator), s.apiAnswerStats),
		uploadRoute(api("POST", "/api/v1/credentials/verify", public, s.apiVerify)),
		api("GET", "/api/v1/me/credentials", roles(learner), s.apiMyCredentials),
		api("GET", "/api/v1/me/resume.json", roles(learner), s.apiMyResume),
		api("GET", "/api/v1/credentials", roles(operator), s.apiCredentials),
		api("POST", "/api/v1/credentials", roles(operator), s.apiIssueCredential),
		api("POST", "/api/v1/credentials/{id}/revoke", roles(operator), s.apiCertRevoke),
		api("POST", "/api/v1/credentials/{id}/suspend", roles(operator), s.apiCertSuspend),
		api("POST", "/api/v1/credentials/{id}/unsuspend", roles(operator), s.apiCertUnsuspend),
		api("GET", "/api/v1/me/notifications", signedIn, s.apiNotifications),
		api("POST", "/api/v1/me/notifications/read", signedIn, s.apiNotificationsRead),
	}
}

// RouteInfo describes a route for tests and documentation.
type RouteInfo struct {
	Method  string
	Pattern string
	API     bool
}

// Routes lists every route the server serves.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.routes))
	for i, rt := range s.routes {
		out[i] = RouteInfo{Method: rt.method, Pattern: rt.pattern, API: rt.api}
	}
	return out
}
