// earn.mjs: a new learner earns a certificate through the API, the way a
// real one does: register, enrol in a free program, finish its lessons,
// submit every project, get top marks from the course's instructor; then
// the operator issues the certificate.
import {DEMO_PASSWORD, progress} from './talentloop.mjs';

// topLevel is the index of a rubric criterion's highest-scoring level.
function topLevel(criterion) {
  let best = 0;
  criterion.levels.forEach((l, i) => {
    if(l.points > criterion.levels[best].points) {
      best = i;
    }
  });
  return best;
}

// prepareQualifiedLearner registers a learner and takes them through a free
// program up to the point where they qualify. It returns {learner, program,
// notYetQualified} where notYetQualified is the API's answer to issuing
// before the reviews (expected: 400).
export async function prepareQualifiedLearner(server, operator) {
  const {items: programs} = await operator.get('/api/v1/programs?limit=100');
  const free = programs.find(p => p.price_fen === 0 && p.status === 'published');
  if(!free) {
    throw new Error('the demo has no free published program to enrol in');
  }
  const program = await operator.get(`/api/v1/programs/${free.id}`);
  progress(`a new learner earns the certificate of program ${program.id} (${program.title.en})`);

  const email = `interop-${process.pid}-${Date.now()}@example.test`;
  const password = `${DEMO_PASSWORD}-interop`;
  const anonymous = await server.api();
  const user = await anonymous.post('/api/v1/users',
    {email, password, name: '互操作 测试学员', lang: 'zh'}, 201);
  const learner = await server.api(email, password);
  await learner.post(`/api/v1/programs/${program.id}/enrolments`, {}, [200, 201]);

  const submissions = [];
  for(const course of program.courses) {
    for(const lesson of course.lessons) {
      await learner.post(`/api/v1/lessons/${lesson.id}/done`, undefined, 204);
    }
    for(const project of course.projects ?? []) {
      const sub = await learner.post(`/api/v1/projects/${project.id}/submissions`, {
        body: `互操作测试提交：${project.title.zh}。An interop-test submission for “${project.title.en}”.`,
        repo_url: 'https://git.example.test/interop/project'
      }, 201);
      submissions.push({course, project, sub});
    }
  }
  if(submissions.length === 0) {
    throw new Error(`program ${program.id} has no projects to review`);
  }

  // Issuing now must fail: nothing is reviewed yet.
  const notYetQualified = await operator.request('POST', '/api/v1/credentials',
    {learner_id: user.id, program_id: program.id});

  const reviewers = new Map();
  for(const {course, project, sub} of submissions) {
    const instructorID = course.instructors?.[0]?.user_id;
    if(!instructorID) {
      throw new Error(`course ${course.id} has no instructor to review project ${project.id}`);
    }
    if(!reviewers.has(instructorID)) {
      // Demo instructors all sign in with the demo password.
      const {email: instructorEmail} = await operator.get(`/api/v1/users/${instructorID}`);
      reviewers.set(instructorID, await server.api(instructorEmail));
    }
    const scores = project.rubric.criteria.map(c => ({criterion_key: c.key, level: topLevel(c)}));
    await reviewers.get(instructorID).post(`/api/v1/submissions/${sub.id}/reviews`,
      {scores, comment: '互操作测试：满分。Interop test: full marks.'}, 201);
  }
  return {learner, user, program, notYetQualified};
}
