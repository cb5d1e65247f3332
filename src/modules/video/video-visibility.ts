import { isAdmin, type Principal } from '../../auth/principal';
import { notFound } from '../../common/errors';

/**
 * A video is visible to its owner and to admins; to anyone else it does not exist: NOT_FOUND,
 * exactly as for a missing one, so that ids of other owners' videos cannot be probed.
 */
export function requireVisibleVideo<V extends { ownerId: string }>(
  caller: Principal,
  video: V | null | undefined,
  id: string,
): V {
  if (!video || (video.ownerId !== caller.id && !isAdmin(caller))) throw notFound('Video', id);
  return video;
}
