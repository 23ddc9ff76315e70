# Writes web/openapi.json, the OpenAPI 3.1 document of the JSON API. Run it after
# changing an API route: python3 web/openapi_gen.py (TestOpenAPIMatchesRoutes checks
# that the document and the route table agree).
import json
R = lambda name: {"$ref": f"#/components/schemas/{name}"}
def listof(name): return {"type":"object","required":["items","total"],"properties":{"items":{"type":"array","items":R(name)},"total":{"type":"integer"}}}
def resp(desc, schema=None, code="200"):
    r = {"description": desc}
    if schema: r["content"] = {"application/json": {"schema": schema}}
    return {code: r}
ERR = {"$ref": "#/components/responses/Error"}
def op(summary, tag, sec, ok, body=None, params=None, errors=("400",), desc=None):
    o = {"summary": summary, "tags": [tag], "responses": {}}
    if desc: o["description"] = desc
    o["responses"].update(ok)
    for e in errors: o["responses"][e] = ERR
    if sec == "public": o["security"] = []
    else:
        o["security"] = [{"bearer": []}, {"session": []}]
        o["responses"]["401"] = ERR
        if sec != "any": o["responses"]["403"] = ERR; o["x-roles"] = sec
    if body: o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params: o["parameters"] = params
    return o
ID = [{"name":"id","in":"path","required":True,"schema":{"type":"integer","minimum":1}}]
Text = {"type":"object","description":"A string in 简体中文 (zh, the default) and English (en).","properties":{"zh":{"type":"string"},"en":{"type":"string"}}}
SkillLevel = {"type":"object","required":["skill_id","level"],"properties":{"skill_id":{"type":"string"},"level":{"type":"integer","minimum":1,"maximum":5},"name":R("Text")}}
schemas = {
 "Text": Text,
 "Error": {"type":"object","required":["error"],"properties":{"error":{"type":"object","required":["code","message"],"properties":{
    "code":{"type":"string","enum":["invalid","not_found","conflict","unauthorized","forbidden","too_many","too_large","internal"]},
    "message":{"type":"string","description":"Translated for the caller (Accept-Language or the language cookie)."},
    "fields":{"type":"object","additionalProperties":{"type":"string"},"description":"Per-field problems."}}}}},
 "User": {"type":"object","properties":{"id":{"type":"integer"},"email":{"type":"string"},"name":{"type":"string"},"lang":{"type":"string","enum":["zh","en"]},
    "roles":{"type":"array","items":{"type":"string","enum":["learner","instructor","partner","counsellor","operator"]}},"company_id":{"type":"integer"},"created_at":{"type":"string","format":"date-time"}}},
 "APIToken": {"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"prefix":{"type":"string"},"created_at":{"type":"string","format":"date-time"},"last_used_at":{"type":"string","format":"date-time"}}},
 "Company": {"type":"object","required":["slug","name"],"properties":{"id":{"type":"integer","readOnly":True},"slug":{"type":"string","pattern":"^[a-z0-9][a-z0-9-]{1,62}$"},"name":R("Text"),"description":R("Text"),"website":{"type":"string","format":"uri"},"city":{"type":"string"}}},
 "InstructorProfile": {"type":"object","properties":{"user_id":{"type":"integer"},"name":{"type":"string"},"company_id":{"type":"integer"},"company":R("Text"),"title":R("Text"),"bio":R("Text")}},
 "IndustryChain": {"type":"object","properties":{"code":{"type":"string","enum":["it","games","visual-art","sound","live-streaming"]},"name":R("Text"),"description":R("Text"),"programs":{"type":"integer","description":"Published programs on the chain."}}},
 "Skill": {"type":"object","properties":{"id":{"type":"string"},"name":R("Text"),"category":{"type":"string"},"chain":{"type":"string"},"levels":{"type":"array","minItems":5,"maxItems":5,"items":R("Text")}}},
 "SkillLevel": SkillLevel,
 "Occupation": {"type":"object","properties":{"code":{"type":"string","description":"职业分类大典 (2022) code such as 4-04-05-03, ISCO-08 or O*NET-SOC."},"name":R("Text")}},
 "ProgramInput": {"type":"object","required":["slug","chain","title","level","duration_weeks"],"properties":{"slug":{"type":"string"},"chain":{"type":"string"},"title":R("Text"),"summary":R("Text"),
    "price_fen":{"type":"integer","minimum":0,"description":"Price in fen (1/100 yuan)."},"currency":{"type":"string","enum":["CNY","USD"]},"level":{"type":"string","enum":["beginner","intermediate","advanced"]},
    "duration_weeks":{"type":"integer","minimum":1,"maximum":104},"status":{"type":"string","enum":["draft","published"]},"skills":{"type":"array","items":R("SkillLevel")},"occupations":{"type":"array","items":R("Occupation")}}},
 "Program": {"allOf":[R("ProgramInput"),{"type":"object","properties":{"id":{"type":"integer"},"courses":{"type":"array","items":R("Course")},"created_at":{"type":"string","format":"date-time"},"updated_at":{"type":"string","format":"date-time"}}}]},
 "CourseInput": {"type":"object","required":["title"],"properties":{"title":R("Text"),"summary":R("Text"),"required":{"type":"boolean"},"position":{"type":"integer"}}},
 "Course": {"allOf":[R("CourseInput"),{"type":"object","properties":{"id":{"type":"integer"},"program_id":{"type":"integer"},"lessons":{"type":"array","items":R("Lesson")},"projects":{"type":"array","items":R("Project")},"instructors":{"type":"array","items":R("InstructorProfile")}}}]},
 "LessonInput": {"type":"object","required":["title"],"properties":{"title":R("Text"),"body":{"allOf":[R("Text")],"description":"Markdown; sanitized when rendered."},"video_url":{"type":"string","format":"uri"},"minutes":{"type":"integer"},"required":{"type":"boolean"},"position":{"type":"integer"}}},
 "Lesson": {"allOf":[R("LessonInput"),{"type":"object","properties":{"id":{"type":"integer"},"course_id":{"type":"integer"}}}]},
 "Rubric": {"type":"object","properties":{"version":{"type":"integer","readOnly":True,"description":"A changed rubric becomes a new version; reviews keep theirs."},"criteria":{"type":"array","items":{"type":"object","required":["key","name","levels"],"properties":{
    "key":{"type":"string"},"name":R("Text"),"description":R("Text"),"levels":{"type":"array","items":{"type":"object","properties":{"name":R("Text"),"points":{"type":"integer"}}}}}}}}},
 "ProjectInput": {"type":"object","required":["company_id","title","brief","level","rubric","pass_mark"],"properties":{"company_id":{"type":"integer"},"title":R("Text"),"real_work":R("Text"),"brief":R("Text"),"deliverables":R("Text"),
    "level":{"type":"integer","minimum":1,"maximum":5},"skills":{"type":"array","items":R("SkillLevel")},"rubric":R("Rubric"),"pass_mark":{"type":"integer"},"required":{"type":"boolean"},"position":{"type":"integer"}}},
 "Project": {"allOf":[R("ProjectInput"),{"type":"object","properties":{"id":{"type":"integer"},"course_id":{"type":"integer"},"company":R("Text")}}]},
}
paths = {}
def add(method, path, o): paths.setdefault(path, {})[method.lower()] = o
P = "/api/v1"
add("GET", P+"/openapi.json", op("This document", "meta", "public", resp("The OpenAPI 3.1 document", {"type":"object"}), errors=()))
add("POST", P+"/auth/token", op("Exchange email and password for an API token", "auth", "public",
  resp("A new bearer token, shown only here", {"type":"object","required":["token"],"properties":{"token":{"type":"string"},"id":{"type":"integer"},"name":{"type":"string"},"user":R("User")}}, "201"),
  body={"type":"object","required":["email","password"],"properties":{"email":{"type":"string"},"password":{"type":"string"},"name":{"type":"string","description":"A label for the token."}}},
  errors=("400","401","429"), desc="Rate-limited per account and per client address."))
add("POST", P+"/users", op("Register as a learner", "auth", "public", resp("The new learner", R("User"), "201"),
  body={"type":"object","required":["email","name","password"],"properties":{"email":{"type":"string"},"name":{"type":"string"},"password":{"type":"string","minLength":10},"lang":{"type":"string","enum":["zh","en"]}}}, errors=("400","409")))
add("GET", P+"/me", op("The caller with its roles", "auth", "any", resp("The caller", R("User")), errors=()))
add("POST", P+"/me/password", op("Change the caller's password", "auth", "any", {"204":{"description":"Changed; the caller's other sessions end."}},
  body={"type":"object","required":["old_password","new_password"],"properties":{"old_password":{"type":"string"},"new_password":{"type":"string"}}}))
add("GET", P+"/me/tokens", op("The caller's live API tokens", "auth", "any", resp("Tokens", listof("APIToken")), errors=()))
add("DELETE", P+"/me/tokens/{id}", op("Revoke one of the caller's tokens", "auth", "any", {"204":{"description":"Revoked"}}, params=ID, errors=("404",)))
add("PUT", P+"/me/instructor-profile", op("Set the caller's instructor profile", "people", ["instructor"], resp("The profile", R("InstructorProfile")),
  body={"type":"object","properties":{"title":R("Text"),"bio":R("Text")}}))
add("GET", P+"/users", op("List users", "people", ["operator","counsellor"], resp("Users, newest first", listof("User")),
  params=[{"name":"role","in":"query","schema":{"type":"string"}},{"name":"q","in":"query","schema":{"type":"string"}},{"name":"limit","in":"query","schema":{"type":"integer"}},{"name":"offset","in":"query","schema":{"type":"integer"}}],
  desc="Counsellors see learners only."))
add("GET", P+"/users/{id}", op("One user", "people", ["operator"], resp("The user", R("User")), params=ID, errors=("404",)))
add("PUT", P+"/users/{id}/roles", op("Replace a user's roles and company", "people", ["operator"], resp("The user", R("User")), params=ID,
  body={"type":"object","required":["roles"],"properties":{"roles":{"type":"array","items":{"type":"string"}},"company_id":{"type":"integer"}}}, errors=("400","404")))
add("POST", P+"/users/{id}/password", op("Reset a user's password", "people", ["operator"], {"204":{"description":"Reset; the user's sessions end."}}, params=ID,
  body={"type":"object","required":["password"],"properties":{"password":{"type":"string"}}}, errors=("400","404")))
add("GET", P+"/companies", op("Partner companies", "people", "public", resp("Companies", listof("Company")), errors=()))
add("POST", P+"/companies", op("Add a partner company", "people", ["operator"], resp("The company", R("Company"), "201"), body=R("Company"), errors=("400","409")))
add("GET", P+"/instructors/{id}", op("An instructor's public profile", "people", "public", resp("The profile", R("InstructorProfile")), params=ID, errors=("404",)))
add("GET", P+"/industry-chains", op("The five industry chains", "catalog", "public", resp("Chains", listof("IndustryChain")), errors=()))
add("GET", P+"/skills", op("The skill taxonomy", "catalog", "public", resp("Skills", listof("Skill")), params=[{"name":"chain","in":"query","schema":{"type":"string"}}], errors=()))
add("GET", P+"/programs", op("Published programs", "catalog", "public", resp("Programs", listof("Program")),
  params=[{"name":"chain","in":"query","schema":{"type":"string"}},{"name":"q","in":"query","description":"Words matched against titles and summaries in zh and en.","schema":{"type":"string"}},
          {"name":"status","in":"query","description":"Operators only: draft or all.","schema":{"type":"string","enum":["draft","all"]}},{"name":"limit","in":"query","schema":{"type":"integer"}},{"name":"offset","in":"query","schema":{"type":"integer"}}]))
add("POST", P+"/programs", op("Create a program", "catalog", ["operator"], resp("The program", R("Program"), "201"), body=R("ProgramInput"), errors=("400","409")))
add("GET", P+"/programs/{id}", op("A program with its courses, projects and skills", "catalog", "public", resp("The program", R("Program")), params=ID, errors=("404",), desc="Drafts are seen only by operators and the program's instructors."))
add("PUT", P+"/programs/{id}", op("Update a program", "catalog", ["operator"], resp("The program", R("Program")), params=ID, body=R("ProgramInput"), errors=("400","404","409")))
add("POST", P+"/programs/{id}/courses", op("Add a course to a program", "catalog", ["operator"], resp("The course", R("Course"), "201"), params=ID, body=R("CourseInput"), errors=("400","404")))
add("GET", P+"/courses/{id}", op("A course with lessons, projects and instructors", "catalog", "public", resp("The course", R("Course")), params=ID, errors=("404",)))
add("PUT", P+"/courses/{id}", op("Update a course", "catalog", ["operator","instructor"], resp("The course", R("Course")), params=ID, body=R("CourseInput"), errors=("400","404"), desc="Instructors may edit only the courses they teach."))
add("PUT", P+"/courses/{id}/instructors", op("Set who teaches a course", "catalog", ["operator"], resp("The course", R("Course")), params=ID,
  body={"type":"object","required":["user_ids"],"properties":{"user_ids":{"type":"array","items":{"type":"integer"}}}}, errors=("400","404")))
add("POST", P+"/courses/{id}/lessons", op("Add a lesson", "catalog", ["operator","instructor"], resp("The lesson", R("Lesson"), "201"), params=ID, body=R("LessonInput"), errors=("400","404")))
add("GET", P+"/lessons/{id}", op("A lesson", "catalog", "public", resp("The lesson", R("Lesson")), params=ID, errors=("404",)))
add("PUT", P+"/lessons/{id}", op("Update a lesson", "catalog", ["operator","instructor"], resp("The lesson", R("Lesson")), params=ID, body=R("LessonInput"), errors=("400","404")))
add("POST", P+"/courses/{id}/projects", op("Add a real project", "catalog", ["operator","instructor"], resp("The project", R("Project"), "201"), params=ID, body=R("ProjectInput"), errors=("400","404")))
add("GET", P+"/projects/{id}", op("A real project with its rubric", "catalog", "public", resp("The project", R("Project")), params=ID, errors=("404",)))
add("PUT", P+"/projects/{id}", op("Update a real project", "catalog", ["operator","instructor"], resp("The project", R("Project")), params=ID, body=R("ProjectInput"), errors=("400","404")))
add("GET", P+"/catalog/stats", op("Catalog counts and recent changes", "catalog", ["operator"], resp("Counts and changes", {"type":"object"}), errors=()))
doc = {"openapi":"3.1.0","info":{"title":"talentloop API","version":"1","description":"The JSON API of talentloop: everything the web UI does. Authenticate with `Authorization: Bearer TOKEN` (from POST /api/v1/auth/token) or a browser session (then send X-CSRF-Token with the tl_csrf cookie's value on writes). Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`. Money is integer fen. Field names are snake_case; text fields are {zh, en}."},
  "tags":[{"name":"auth"},{"name":"people"},{"name":"catalog"},{"name":"meta"}],
  "paths": paths,
  "components":{"schemas":schemas,"responses":{"Error":{"description":"An error","content":{"application/json":{"schema":R("Error")}}}},
    "securitySchemes":{"bearer":{"type":"http","scheme":"bearer"},"session":{"type":"apiKey","in":"cookie","name":"tl_session"}}}}

schemas.update({
 "Order": {"type":"object","properties":{"id":{"type":"integer"},"enrolment_id":{"type":"integer"},"user_id":{"type":"integer"},"user_name":{"type":"string"},"user_email":{"type":"string"},"program_id":{"type":"integer"},"program":R("Text"),
    "amount_fen":{"type":"integer","description":"Integer fen."},"currency":{"type":"string"},"provider":{"type":"string","enum":["free","manual"]},"status":{"type":"string","enum":["pending","paid","refunded","cancelled"]},
    "reference":{"type":"string"},"created_at":{"type":"string","format":"date-time"},"paid_at":{"type":"string","format":"date-time"},"refunded_at":{"type":"string","format":"date-time"},"cancelled_at":{"type":"string","format":"date-time"},
    "events":{"type":"array","items":{"type":"object","properties":{"status":{"type":"string"},"actor_id":{"type":"integer"},"actor_name":{"type":"string"},"reference":{"type":"string"},"note":{"type":"string"},"at":{"type":"string","format":"date-time"}}}}}},
 "Enrolment": {"type":"object","properties":{"id":{"type":"integer"},"user_id":{"type":"integer"},"program_id":{"type":"integer"},"program":R("Text"),"chain":{"type":"string"},"order":R("Order"),
    "active":{"type":"boolean","description":"The order is paid."},"progress":{"type":"integer","minimum":0,"maximum":100},"completed":{"type":"boolean"},"completed_at":{"type":"string","format":"date-time"},
    "due_at":{"type":"string","format":"date-time"},"on_time":{"type":"boolean"},"created_at":{"type":"string","format":"date-time"}}},
 "IncomeReport": {"type":"object","required":["employment"],"properties":{"id":{"type":"integer","readOnly":True},"monthly_income_fen":{"type":["integer","null"],"minimum":0},
    "employment":{"type":"string","enum":["employed","self_employed","freelance","unemployed","student","other"]},"source":{"type":"string","readOnly":True},"reported_at":{"type":"string","format":"date-time","readOnly":True}}},
 "CourseProgress": {"type":"object","properties":{"course_id":{"type":"integer"},"lessons_done":{"type":"object","additionalProperties":{"type":"boolean"}},"project_status":{"type":"object","additionalProperties":{"type":"string"}},
    "required_items":{"type":"integer"},"done_items":{"type":"integer"},"progress":{"type":"integer"},"completed":{"type":"boolean"},"completed_at":{"type":"string","format":"date-time"}}},
 "Score": {"type":"object","required":["criterion_key","level"],"properties":{"criterion_key":{"type":"string"},"level":{"type":"integer","description":"Index into the criterion's levels."},"points":{"type":"integer","readOnly":True},"comment":{"type":"string"}}},
 "Review": {"type":"object","properties":{"id":{"type":"integer"},"submission_id":{"type":"integer"},"reviewer_id":{"type":"integer"},"reviewer_name":{"type":"string"},"rubric_version":{"type":"integer"},
    "scores":{"type":"array","items":R("Score")},"total":{"type":"integer"},"max_points":{"type":"integer"},"pass_mark":{"type":"integer"},"result":{"type":"string","enum":["passed","revise"]},"comment":{"type":"string"},"created_at":{"type":"string","format":"date-time"}}},
 "Submission": {"type":"object","properties":{"id":{"type":"integer"},"project_id":{"type":"integer"},"project":R("Text"),"course_id":{"type":"integer"},"user_id":{"type":"integer"},"user_name":{"type":"string"},
    "version":{"type":"integer"},"body":{"type":"string"},"repo_url":{"type":"string"},"demo_url":{"type":"string"},"status":{"type":"string","enum":["submitted","passed","revise"]},
    "files":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"content_type":{"type":"string"},"size":{"type":"integer"},"sha256":{"type":"string"}}}},
    "review":R("Review"),"created_at":{"type":"string","format":"date-time"},"waiting":{"type":"string"}}},
 "SkillRecord": {"type":"object","properties":{"skill_id":{"type":"string"},"name":R("Text"),"level":{"type":"integer"},"evidence":{"type":"array","items":{"type":"object","properties":{
    "level":{"type":"integer"},"project_id":{"type":"integer"},"project":R("Text"),"review_id":{"type":"integer"},"company":R("Text"),"at":{"type":"string","format":"date-time"}}}}}},
 "Question": {"type":"object","properties":{"id":{"type":"integer"},"course_id":{"type":"integer"},"course":R("Text"),"project_id":{"type":"integer"},"user_id":{"type":"integer"},"user_name":{"type":"string"},
    "title":{"type":"string"},"body":{"type":"string"},"accepted_answer_id":{"type":"integer"},"answer_count":{"type":"integer"},"first_answer_at":{"type":"string","format":"date-time"},"overdue":{"type":"boolean"},
    "answers":{"type":"array","items":R("Answer")},"created_at":{"type":"string","format":"date-time"}}},
 "Answer": {"type":"object","properties":{"id":{"type":"integer"},"question_id":{"type":"integer"},"user_id":{"type":"integer"},"user_name":{"type":"string"},"by_instructor":{"type":"boolean"},"body":{"type":"string"},"created_at":{"type":"string","format":"date-time"}}},
 "AnswerStats": {"type":"object","properties":{"instructor_id":{"type":"integer"},"name":{"type":"string"},"open_questions":{"type":"integer"},"overdue":{"type":"integer"},"answered":{"type":"integer"},
    "median_hours":{"type":"number"},"p90_hours":{"type":"number"},"window_days":{"type":"integer"}}},
 "Notification": {"type":"object","properties":{"id":{"type":"integer"},"kind":{"type":"string","enum":["review","answer","order_paid","completion","question"]},"params":{"type":"object","additionalProperties":{"type":"string"}},"link":{"type":"string"},"read":{"type":"boolean"},"created_at":{"type":"string","format":"date-time"}}},
})
OrderAction = {"type":"object","properties":{"reference":{"type":"string"},"note":{"type":"string"}}}
add("POST", P+"/programs/{id}/enrolments", op("Enrol in a published program", "learning", ["learner"], {**resp("The new enrolment with its order", R("Enrolment"), "201"), **resp("Already enrolled: the existing enrolment", R("Enrolment"))}, params=ID,
  body={"type":"object","properties":{"monthly_income_fen":{"type":"integer","minimum":0},"employment":{"type":"string"}},"description":"Optional baseline income; the body may be empty."}, errors=("400","404"),
  desc="A free program is paid at once (provider free). A priced one opens a pending order (provider manual) that an operator marks paid."))
add("GET", P+"/me/enrolments", op("The caller's enrolments with progress (0–100) and completion", "learning", ["learner"], resp("Enrolments", listof("Enrolment")), errors=()))
add("GET", P+"/me/income", op("The caller's income history, newest first", "learning", ["learner"], resp("Reports", listof("IncomeReport")), errors=()))
add("POST", P+"/me/income", op("Add an income report (history is kept)", "learning", ["learner"], resp("The report", R("IncomeReport"), "201"), body=R("IncomeReport")))
add("GET", P+"/orders", op("Orders, newest first", "learning", ["operator"], resp("Orders", listof("Order")), params=[{"name":"status","in":"query","schema":{"type":"string","enum":["pending","paid","refunded","cancelled"]}},
  {"name":"program","in":"query","schema":{"type":"integer"}},{"name":"q","in":"query","schema":{"type":"string"}},{"name":"limit","in":"query","schema":{"type":"integer"}},{"name":"offset","in":"query","schema":{"type":"integer"}}]))
add("GET", P+"/orders/{id}", op("An order with its history", "learning", ["operator"], resp("The order", R("Order")), params=ID, errors=("404",)))
add("POST", P+"/orders/{id}/mark-paid", op("Confirm an offline payment", "learning", ["operator"], resp("The order", R("Order")), params=ID, body={"type":"object","required":["reference"],"properties":{"reference":{"type":"string"}}}, errors=("400","404","409")))
add("POST", P+"/orders/{id}/refund", op("Refund a paid order; access ends", "learning", ["operator"], resp("The order", R("Order")), params=ID, body={"type":"object","properties":{"note":{"type":"string"}}}, errors=("400","404","409")))
add("POST", P+"/orders/{id}/cancel", op("Cancel a pending order", "learning", ["operator"], resp("The order", R("Order")), params=ID, errors=("404","409")))
add("POST", P+"/lessons/{id}/done", op("Mark a lesson done", "learning", ["learner"], {"204":{"description":"Recorded (again is harmless)"}}, params=ID, errors=("404",)))
add("GET", P+"/courses/{id}/progress", op("The caller's progress in a course", "learning", ["learner"], resp("Progress", R("CourseProgress")), params=ID, errors=("404",)))
add("POST", P+"/projects/{id}/submissions", op("Submit work on a real project", "learning", ["learner"], resp("The new version", R("Submission"), "201"), params=ID, errors=("400","404","409","413"),
  desc="JSON {body, repo_url, demo_url, idempotency_key} or multipart/form-data with the same fields and files[]. The same Idempotency-Key (header or field) returns the first submission."))
paths[P+"/projects/{id}/submissions"]["post"]["requestBody"] = {"required":True,"content":{"application/json":{"schema":{"type":"object","properties":{"body":{"type":"string"},"repo_url":{"type":"string"},"demo_url":{"type":"string"},"idempotency_key":{"type":"string"}}}},
  "multipart/form-data":{"schema":{"type":"object","properties":{"body":{"type":"string"},"repo_url":{"type":"string"},"demo_url":{"type":"string"},"idempotency_key":{"type":"string"},"files":{"type":"array","items":{"type":"string","format":"binary"}}}}}}}
add("GET", P+"/projects/{id}/submissions", op("The caller's versions for a project", "learning", ["learner"], resp("Versions, newest first", listof("Submission")), params=ID, errors=()))
add("GET", P+"/submissions/{id}", op("A submission (its learner, the course's instructors, operators)", "learning", ["learner","instructor","operator"], resp("The submission", R("Submission")), params=ID, errors=("404",)))
add("GET", P+"/review-queue", op("Submissions awaiting the caller's review, oldest first", "learning", ["instructor"], resp("The queue", listof("Submission")), errors=()))
add("POST", P+"/submissions/{id}/reviews", op("Review the newest version against the rubric", "learning", ["instructor"], resp("The review", R("Review"), "201"), params=ID,
  body={"type":"object","required":["scores"],"properties":{"scores":{"type":"array","items":R("Score")},"comment":{"type":"string"}}}, errors=("400","404","409"),
  desc="Every criterion must be scored once. A second review corrects the first; skill evidence and completions follow."))
add("GET", P+"/me/skills", op("The caller's verified skills with evidence", "learning", ["learner"], resp("Skills", listof("SkillRecord")), errors=()))
add("GET", P+"/learners/{id}/skills", op("A learner's verified skills", "learning", ["operator","partner","counsellor"], resp("Skills", listof("SkillRecord")), params=ID, errors=("404",)))
add("POST", P+"/questions", op("Ask the instructors of a course", "learning", ["learner"], resp("The question", R("Question"), "201"),
  body={"type":"object","required":["course_id","title","body"],"properties":{"course_id":{"type":"integer"},"project_id":{"type":"integer"},"title":{"type":"string"},"body":{"type":"string"}}}, errors=("400","404")))
add("GET", P+"/courses/{id}/questions", op("A course's questions", "learning", ["learner","instructor","operator"], resp("Questions", listof("Question")), params=ID, errors=("404",)))
add("GET", P+"/questions/{id}", op("A question with its answers", "learning", ["learner","instructor","operator"], resp("The thread", R("Question")), params=ID, errors=("404",)))
add("POST", P+"/questions/{id}/answers", op("Answer a question", "learning", ["learner","instructor"], resp("The answer", R("Answer"), "201"), params=ID, body={"type":"object","required":["body"],"properties":{"body":{"type":"string"}}}, errors=("400","404")))
add("POST", P+"/questions/{id}/accept", op("Accept an answer (the asker or an instructor)", "learning", ["learner","instructor"], {"204":{"description":"Accepted"}}, params=ID, body={"type":"object","required":["answer_id"],"properties":{"answer_id":{"type":"integer"}}}, errors=("400","404")))
add("GET", P+"/instructors/{id}/answer-stats", op("An instructor's answer times over the last days (default 30)", "learning", ["instructor","operator"], resp("Stats", R("AnswerStats")), params=ID+[{"name":"days","in":"query","schema":{"type":"integer"}}], errors=("404",),
  desc="Median and 90th percentile (nearest rank) of the time to the first instructor answer, over the questions this instructor answered first; open and overdue questions on their courses. Instructors see their own."))
add("GET", P+"/me/notifications", op("The caller's notifications and unread count", "learning", "any", resp("Notifications", {"type":"object","properties":{"items":{"type":"array","items":R("Notification")},"unread":{"type":"integer"}}}), errors=()))
add("POST", P+"/me/notifications/read", op("Mark all notifications read", "learning", "any", {"204":{"description":"Done"}}, errors=()))
doc["tags"].append({"name":"learning"})

schemas.update({
 "Certificate": {"type":"object","properties":{"id":{"type":"string"},"learner_id":{"type":"integer"},"holder_name":{"type":"string"},"program_id":{"type":"integer"},"program":R("Text"),
    "issuer":{"type":"string","description":"The issuer DID."},"status":{"type":"string","enum":["valid","suspended","revoked","expired"]},"issued_at":{"type":"string","format":"date-time"},
    "valid_until":{"type":"string","format":"date-time"},"revoked_at":{"type":"string","format":"date-time"},"suspended_at":{"type":"string","format":"date-time"},"reason":{"type":"string"},
    "in_resume":{"type":"boolean"},"verify_url":{"type":"string","format":"uri"},"json_url":{"type":"string","format":"uri"},"linkedin_url":{"type":"string","format":"uri","description":"LinkedIn's add-to-profile link (startTask=CERTIFICATION_NAME)."}}},
 "VerifyResult": {"type":"object","properties":{"verified":{"type":"boolean"},"revoked":{"type":"boolean"},"suspended":{"type":"boolean"},"issuer":{"type":"string"},"name":{"type":"string"},
    "checks":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string","enum":["parse","context","proof","dates","status","issuer"]},"outcome":{"type":"string","enum":["passed","failed","skipped"]},
    "code":{"type":"string","description":"A stable reason code, e.g. signature_invalid, revoked, unknown_context."},"message":{"type":"string"}}}}}},
})
CertReason = {"type":"object","required":["reason"],"properties":{"reason":{"type":"string","description":"Shown on the public verify page."}}}
add("POST", P+"/credentials/verify", op("Verify a credential from any issuer", "credentials", "public", resp("Each check's result", R("VerifyResult")), errors=("400","413"),
  desc="The body is the credential JSON, or multipart/form-data with a file named file. Malformed input gets a 400 naming the problem; a credential that fails a check gets 200 with verified false and the failing check's code."))
paths[P+"/credentials/verify"]["post"]["requestBody"] = {"required":True,"content":{"application/json":{"schema":{"type":"object","description":"An Open Badges 3.0 / W3C VC 2.0 credential."}},
  "multipart/form-data":{"schema":{"type":"object","properties":{"file":{"type":"string","format":"binary"}}}}}}
add("GET", P+"/me/credentials", op("The caller's certificates", "credentials", ["learner"], resp("Certificates", listof("Certificate")), errors=()))
add("GET", P+"/me/resume.json", op("The caller's resume in the JSON Resume format", "credentials", ["learner"], resp("A JSON Resume (v1.0.0) with its certificates section filled", {"type":"object"}), errors=()))
add("GET", P+"/credentials", op("Certificates by program and status", "credentials", ["operator"], resp("Certificates", listof("Certificate")),
  params=[{"name":"program_id","in":"query","schema":{"type":"integer"}},{"name":"status","in":"query","schema":{"type":"string","enum":["valid","suspended","revoked","expired"]}},
          {"name":"limit","in":"query","schema":{"type":"integer"}},{"name":"offset","in":"query","schema":{"type":"integer"}}]))
add("POST", P+"/credentials", op("Issue a learner's certificate", "credentials", ["operator"], {**resp("Issued", R("Certificate"), "201"), **resp("The learner already holds it", R("Certificate"))},
  body={"type":"object","required":["learner_id","program_id"],"properties":{"learner_id":{"type":"integer"},"program_id":{"type":"integer"}}}, errors=("400",),
  desc="The learner must meet the program's certification rule. At most one certificate per learner and program."))
IDS=[{"name":"id","in":"path","required":True,"schema":{"type":"string"}}]
add("POST", P+"/credentials/{id}/revoke", op("Revoke a certificate (final; again is harmless)", "credentials", ["operator"], resp("The certificate", R("Certificate")), params=IDS, body=CertReason, errors=("400","404")))
add("POST", P+"/credentials/{id}/suspend", op("Suspend a certificate", "credentials", ["operator"], resp("The certificate", R("Certificate")), params=IDS, body=CertReason, errors=("400","404","409")))
add("POST", P+"/credentials/{id}/unsuspend", op("Lift a suspension", "credentials", ["operator"], resp("The certificate", R("Certificate")), params=IDS, body={"type":"object","properties":{"reason":{"type":"string"}}}, errors=("400","404","409")))
doc["tags"].append({"name":"credentials"})

import os
json.dump(doc, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.json"),"w"), ensure_ascii=False, indent=1)
