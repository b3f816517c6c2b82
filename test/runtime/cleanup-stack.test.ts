import { describe, expect, it } from 'vitest';
import { CleanupStack } from '../../runtime/cleanup-stack.ts';

describe('CleanupStack', () => {
  describe('#dispose', () => {
    it('runs disposers in reverse order of registration', () => {
      const order: string[] = [];
      const stack = new CleanupStack();
      stack.add(() => order.push('first'));
      stack.add(() => order.push('second'));
      stack.add(() => order.push('third'));
      stack.dispose();
      expect(order).toEqual(['third', 'second', 'first']);
    });

    it('runs each disposer once when called twice', () => {
      let runs = 0;
      const stack = new CleanupStack();
      stack.add(() => runs++);
      stack.dispose();
      stack.dispose();
      expect(runs).toBe(1);
      expect(stack.disposed).toBe(true);
      expect(stack.size).toBe(0);
    });

    it('keeps going when a disposer throws, and reports the error', () => {
      const order: string[] = [];
      const errors: unknown[] = [];
      const boom = new Error('boom');
      const stack = new CleanupStack((err) => errors.push(err));
      stack.add(() => order.push('first'));
      stack.add(() => {
        throw boom;
      });
      stack.add(() => order.push('third'));
      expect(() => stack.dispose()).not.toThrow();
      expect(order).toEqual(['third', 'first']);
      expect(errors).toEqual([boom]);
    });

    it('swallows disposer errors without an error handler', () => {
      let ran = false;
      const stack = new CleanupStack();
      stack.add(() => {
        ran = true;
      });
      stack.add(() => {
        throw new Error('boom');
      });
      expect(() => stack.dispose()).not.toThrow();
      expect(ran).toBe(true);
    });

    it('runs the same function once per registration', () => {
      let runs = 0;
      const disposer = () => runs++;
      const stack = new CleanupStack();
      stack.add(disposer);
      stack.add(disposer);
      stack.dispose();
      expect(runs).toBe(2);
    });

    it('does not run a disposer registered by another disposer twice', () => {
      let late = 0;
      const stack = new CleanupStack();
      stack.add(() => stack.add(() => late++));
      stack.dispose();
      expect(late).toBe(1);
    });
  });

  describe('#add', () => {
    it('counts registered disposers without running them', () => {
      let runs = 0;
      const stack = new CleanupStack();
      stack.add(() => runs++);
      stack.add(() => runs++);
      expect(stack.size).toBe(2);
      expect(stack.disposed).toBe(false);
      expect(runs).toBe(0);
    });

    it('runs a disposer at once after the stack was disposed', () => {
      let runs = 0;
      const stack = new CleanupStack();
      stack.dispose();
      stack.add(() => runs++);
      expect(runs).toBe(1);
      expect(stack.size).toBe(0);
    });

    it('reports an error of a disposer added after disposal', () => {
      const errors: unknown[] = [];
      const stack = new CleanupStack((err) => errors.push(err));
      stack.dispose();
      expect(() =>
        stack.add(() => {
          throw new Error('late');
        }),
      ).not.toThrow();
      expect(errors).toHaveLength(1);
    });

    it('tells the error handler which owner the failing disposer belonged to', () => {
      const reports: [unknown, string][] = [];
      const stack = new CleanupStack((err, owner) => reports.push([err, owner]), 'lv:phx-1');
      const failure = new Error('boom');
      stack.add(() => {
        throw failure;
      });
      stack.dispose();
      expect(reports).toEqual([[failure, 'lv:phx-1']]);
    });
  });

  describe('#remove', () => {
    it('unregisters a disposer so dispose does not run it', () => {
      const order: string[] = [];
      const stack = new CleanupStack();
      const a = () => order.push('a');
      const b = () => order.push('b');
      stack.add(a);
      stack.add(b);
      stack.remove(a);
      expect(stack.size).toBe(1);
      stack.dispose();
      expect(order).toEqual(['b']);
    });

    it('removes one registration of a disposer added twice', () => {
      let runs = 0;
      const disposer = () => runs++;
      const stack = new CleanupStack();
      stack.add(disposer);
      stack.add(disposer);
      stack.remove(disposer);
      stack.dispose();
      expect(runs).toBe(1);
    });

    it('ignores a disposer that was never added', () => {
      const stack = new CleanupStack();
      stack.add(() => {});
      stack.remove(() => {});
      expect(stack.size).toBe(1);
    });
  });
});
