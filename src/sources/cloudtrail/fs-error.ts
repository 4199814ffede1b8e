/** A short, stable description of a file-system error (`ENOENT: no such file or directory`). */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory (or a dangling symbolic link)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a parent of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return e?.code ? `${e.code}: ${e.message}` : String((err as Error)?.message ?? err);
  }
}
