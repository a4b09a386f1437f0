// SPDX-License-Identifier: MIT
/* Host worker pool on pthreads: persistent workers woken per parallel region; tasks handed out under a mutex. */
#include "threads.h"

#include <pthread.h>
#include <stdlib.h>

struct onnx_pool {
	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	pthread_t *th;
	unsigned n;
	unsigned long gen;    /* bumped for every parallel region */
	int quit;
	void (*fn)(void *, unsigned);
	void *ctx;
	unsigned next, tasks, running;
};

/* Takes tasks until none are left; called with mu held, returns with mu held. */
static void drain(struct onnx_pool *p)
{
	while (p->next < p->tasks) {
		unsigned t = p->next++;
		p->running++;
		pthread_mutex_unlock(&p->mu);
		p->fn(p->ctx, t);
		pthread_mutex_lock(&p->mu);
		p->running--;
	}
	if (p->running == 0)
		pthread_cond_broadcast(&p->done);
}

static void *worker(void *arg)
{
	struct onnx_pool *p = arg;
	unsigned long seen = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->gen == seen)
			pthread_cond_wait(&p->wake, &p->mu);
		if (p->quit)
			break;
		seen = p->gen;
		drain(p);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

cella_result onnx_pool_new(unsigned workers, struct onnx_pool **out)
{
	struct onnx_pool *p;
	*out = NULL;
	if (workers == 0)
		return CELLA_OK;
	if (workers > 64)
		workers = 64;
	p = calloc(1, sizeof(*p));
	if (!p)
		return CELLA_ERR_OUT_OF_MEMORY;
	p->th = calloc(workers, sizeof(pthread_t));
	if (!p->th || pthread_mutex_init(&p->mu, NULL) || pthread_cond_init(&p->wake, NULL) ||
	    pthread_cond_init(&p->done, NULL)) {
		free(p->th);
		free(p);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	for (; p->n < workers; p->n++)
		if (pthread_create(&p->th[p->n], NULL, worker, p))
			break;
	*out = p;
	return CELLA_OK;
}

void onnx_pool_free(struct onnx_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p->th);
	free(p);
}

void onnx_pool_run(struct onnx_pool *p, unsigned tasks, void (*fn)(void *ctx, unsigned task), void *ctx)
{
	if (!p || p->n == 0 || tasks < 2) {
		for (unsigned t = 0; t < tasks; t++)
			fn(ctx, t);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->ctx = ctx;
	p->next = 0;
	p->tasks = tasks;
	p->running = 0;
	p->gen++;
	pthread_cond_broadcast(&p->wake);
	drain(p);
	while (p->next < p->tasks || p->running)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
