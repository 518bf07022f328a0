/*
 * bounce: a bouncing contact on a gpio-sim line, for hal-tests/gpio.
 *
 * usage: bounce PULL-FILE down|up CHANGES GAP-US
 *
 * Writes CHANGES alternating levels to PULL-FILE (a gpio-sim line's
 * sysfs `pull`), GAP-US microseconds apart, the last one being the level
 * asked for (down: pull-down, a pressed button on an active-low line), and
 * prints on stdout how long the bounce took from the first change to the
 * last, in microseconds. The gaps leave the kernel time to hand each edge to
 * the reader (on the other CPU): gpio-sim drops an edge that comes while the
 * reader's interrupt thread is still busy with the last one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void put(int fd, const char *path, const char *level)
{
	if (pwrite(fd, level, strlen(level), 0) < 0) {
		fprintf(stderr, "bounce: writing %s to %s: %s\n", level, path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 5 || (strcmp(argv[2], "down") && strcmp(argv[2], "up"))) {
		fprintf(stderr, "usage: bounce PULL-FILE down|up CHANGES GAP-US\n");
		return 2;
	}
	const char *path = argv[1];
	int last_down = !strcmp(argv[2], "down");
	int changes = atoi(argv[3]);
	long gap_us = atol(argv[4]);
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "bounce: opening %s: %s\n", path, strerror(errno));
		return 1;
	}
	long long first = 0, last = 0;
	for (int i = 0; i < changes; i++) {
		/* Counted back from the last change, which is the level asked for. */
		int down = ((changes - 1 - i) % 2 == 0) ? last_down : !last_down;
		/* A busy wait: a sleep this short takes milliseconds in a TCG guest. */
		while (i > 0 && now_ns() - last < gap_us * 1000)
			;
		put(fd, path, down ? "pull-down" : "pull-up");
		last = now_ns();
		if (i == 0)
			first = last;
	}
	close(fd);
	printf("%lld\n", (last - first) / 1000);
	return 0;
}
