// Counts step bodies running at this moment in this process, and the most seen at once: the
// thumbnails example's test reads it to check the workflow's concurrency limit held.
export const bodyGauge = {
	running: 0,
	max: 0,
	async around<T>(body: () => Promise<T>): Promise<T> {
		this.running++;
		this.max = Math.max(this.max, this.running);
		try {
			return await body();
		} finally {
			this.running--;
		}
	},
	reset(): void {
		this.running = 0;
		this.max = 0;
	},
};
